import { composeConfig, loadConfig, serviceConfig } from '@kuroshio/config';
import { grpcServiceOptions } from '@kuroshio/contracts';
import { startService, type RunningService } from '@kuroshio/service-kit';
import { createLogger } from '@kuroshio/telemetry';
import { freePort } from '@kuroshio/testing';
import { CollectorModule } from '../collector.module.js';
import { collectorConfigParts, type CollectorConfig } from '../config.js';

/** The collector started in-process as main.ts starts it, on an ephemeral HTTP port and a free gRPC port. */
export async function startCollector(env: Record<string, string>): Promise<RunningService<CollectorConfig>> {
  const grpcPort = await freePort();
  const schema = composeConfig({ service: serviceConfig({ name: 'collector', httpPort: 0, grpcPort }), ...collectorConfigParts });
  const config = loadConfig(schema, { KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092', ...env }) as unknown as CollectorConfig;
  const { port: _port, ...grpc } = grpcServiceOptions('collector', grpcPort);
  return startService({
    config,
    module: (loaded) => CollectorModule.forRoot(loaded),
    logger: createLogger({ service: 'collector', level: (env['LOG_LEVEL'] as 'silent' | undefined) ?? 'silent' }),
    grpc,
    readinessTimeoutMs: 2_000,
  });
}
