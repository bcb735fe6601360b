import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ClickHouseClient, ident, sql } from '@kuroshio/clickhouse';
import { composeConfig, loadConfig, serviceConfig } from '@kuroshio/config';
import { grpcServiceOptions } from '@kuroshio/contracts';
import { KafkaClient } from '@kuroshio/kafka';
import { startService, type RunningService } from '@kuroshio/service-kit';
import { createLogger } from '@kuroshio/telemetry';
import { freePort, stackEndpoints, uniqueName, waitFor } from '@kuroshio/testing';
import { experimentConfigParts, type ExperimentConfig } from '../config.js';
import { ExperimentModule } from '../experiment.module.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const testLogger = createLogger({ service: 'experiment-it', level: 'warn' });

/** The service started in-process as main.ts starts it, on an ephemeral HTTP port and a free gRPC port. */
export async function startExperimentService(env: Record<string, string>): Promise<RunningService<ExperimentConfig>> {
  const grpcPort = await freePort();
  const schema = composeConfig({ service: serviceConfig({ name: 'experiment', httpPort: 0, grpcPort }), ...experimentConfigParts });
  const config = loadConfig(schema, { ...process.env, HTTP_PORT: '0', SHUTDOWN_TIMEOUT_MS: '10000', ...env }) as unknown as ExperimentConfig;
  const { port: _port, ...grpc } = grpcServiceOptions('experiment', grpcPort);
  const service = await startService({
    config,
    module: (loaded) => ExperimentModule.forRoot(loaded),
    logger: createLogger({ service: 'experiment', level: (env['LOG_LEVEL'] as 'silent' | undefined) ?? 'silent' }),
    grpc,
    readinessTimeoutMs: 2_000,
  });
  await waitFor(async () => (await fetch(`${service.httpUrl}/readyz`)).status === 200, { timeoutMs: 60_000, description: 'experiment service ready' });
  return service;
}

/** A database with every migration applied and a topic of its own: what one test file runs against. */
export class IsolatedStack {
  readonly endpoints = stackEndpoints();
  readonly database = uniqueName('it_experiment', '_');
  readonly topic = uniqueName('it.experiment.exposures', '.');
  readonly group = uniqueName('it-experiment-sink');
  readonly clickhouse = new ClickHouseClient({ ...this.endpoints.clickhouse, database: this.database, logger: testLogger });
  readonly kafka = new KafkaClient({ ...this.endpoints.kafka, clientId: 'experiment-it', logger: testLogger });

  get env(): Record<string, string> {
    return { CLICKHOUSE_DATABASE: this.database, EXPERIMENT_EXPOSURES_TOPIC: this.topic, EXPERIMENT_EXPOSURE_SINK_GROUP: this.group, EXPERIMENT_REBUILD_RETRY_MS: '200' };
  }

  async setUp(): Promise<void> {
    await run('npx', ['tsc', '-b', 'libs/clickhouse'], { cwd: repoRoot });
    await run(process.execPath, ['libs/clickhouse/dist/cli/migrate.js'], { cwd: repoRoot, env: { ...process.env, CLICKHOUSE_DATABASE: this.database } });
    await this.kafka.ensureTopics([{ name: this.topic, partitions: 2 }]);
  }

  async tearDown(): Promise<void> {
    await this.kafka.disconnect().catch(() => undefined);
    await this.clickhouse.command(sql`DROP DATABASE IF EXISTS ${ident(this.database)}`).catch(() => undefined);
    await this.clickhouse.close();
  }
}
