import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { TOPICS } from '@kuroshio/contracts';
import { uniqueName, waitFor } from '@kuroshio/testing';
import { removeLakePrefix } from './ingest-lake.js';
import { deleteGroup, positionGroup, topicEnd, type PartitionOffsets } from './ingest-topics.js';
import { dropDatabase } from './ingest-warehouse.js';
import { startService, waitForHttp, type ServiceProcess } from './service-process.js';
import { SERVICES } from './services.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
function service(name: string) {
  const found = SERVICES.find((svc) => svc.name === name);
  if (!found) throw new Error(`no service ${name} in services.ts`);
  return found;
}
export const COLLECTOR = service('collector');
export const ETL = service('etl');
const COLLECTOR_GRPC_PORT = COLLECTOR.grpc?.port ?? 7101;

/**
 * One run of the real ingest path on the shared stack. The collector always writes the contract
 * topic, so isolation comes from the rest: a tenant, a ClickHouse database, a lake prefix and an ETL
 * consumer group of its own, the group placed at the topic's end before the ETL starts.
 */
export interface IngestRun {
  readonly tenant: string;
  readonly database: string;
  readonly lakePrefix: string;
  readonly groupId: string;
  readonly keys: { readonly web: string; readonly line: string; readonly iot: string };
  readonly sources: { readonly web: string; readonly line: string; readonly iot: string };
  readonly lineChannelSecret: string;
  /** events.raw and events.dlq offsets before the run sent anything. */
  readonly start: { readonly raw: PartitionOffsets; readonly dlq: PartitionOffsets };
  readonly collector: ServiceProcess;
  readonly etl: ServiceProcess;
  readonly collectorUrl: string;
  readonly collectorGrpc: string;
  stop(): Promise<void>;
}

export const basicAuth = (writeKey: string) => `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

async function waitUntilReady(service: ServiceProcess, port: number, timeoutMs = 60_000): Promise<void> {
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, service);
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, {
    timeoutMs,
    description: `${service.name} ready: ${service.output().slice(-2000)}`,
  });
}

/** `env` is added to both services' environment (e.g. an OTLP endpoint). */
export async function startIngestRun(env: Record<string, string> = {}): Promise<IngestRun> {
  const id = uniqueName('e2e', '_').replace(/^e2e_/, '');
  const slug = id.replace(/_/g, '');
  const tenant = `e2e-${slug}`;
  const database = `e2e_ingest_${id}`;
  const lakePrefix = `e2e-ingest-${slug}/`;
  const groupId = `e2e-etl-${slug}`;
  const keys = { web: `wk-web-${randomBytes(12).toString('hex')}`, line: `wk-line-${randomBytes(12).toString('hex')}`, iot: `wk-iot-${randomBytes(12).toString('hex')}` };
  const sources = { web: `${tenant}-web`, line: `${tenant}-line`, iot: `${tenant}-iot` };
  const lineChannelSecret = randomBytes(16).toString('hex');

  const directory = await mkdtemp(join(tmpdir(), 'e2e-ingest-'));
  const sourcesFile = join(directory, 'sources.json');
  await writeFile(
    sourcesFile,
    JSON.stringify([
      { tenant, source: sources.web, channel: 'web', writeKeySha256: sha256(keys.web) },
      { tenant, source: sources.line, channel: 'line', allowedChannels: ['line'], writeKeySha256: sha256(keys.line), lineChannelSecret },
      { tenant, source: sources.iot, channel: 'iot', writeKeySha256: sha256(keys.iot) },
    ]),
  );

  await promisify(execFile)(process.execPath, ['libs/clickhouse/dist/cli/migrate.js'], { cwd: repoRoot, env: { ...process.env, CLICKHOUSE_DATABASE: database } });
  const start = { raw: await topicEnd(TOPICS.eventsRaw.name), dlq: await topicEnd(TOPICS.eventsDlq.name) };
  await positionGroup(groupId, TOPICS.eventsRaw.name, start.raw);

  const collector = startService('collector', { ...env, COLLECTOR_SOURCES_FILE: sourcesFile });
  const etl = startService('etl', {
    ...env,
    CLICKHOUSE_DATABASE: database,
    ETL_CONSUMER_GROUP: groupId,
    ETL_LAKE_PREFIX: lakePrefix,
    ETL_PII_KEY: randomBytes(32).toString('base64'),
    ETL_SINK_RETRY_DELAY_MS: '500',
  });
  const stop = async () => {
    await Promise.all([collector.stop(), etl.stop()]);
    await rm(directory, { recursive: true, force: true });
  };
  try {
    await Promise.all([waitUntilReady(collector, COLLECTOR.httpPort), waitUntilReady(etl, ETL.httpPort)]);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    tenant,
    database,
    lakePrefix,
    groupId,
    keys,
    sources,
    lineChannelSecret,
    start,
    collector,
    etl,
    collectorUrl: `http://127.0.0.1:${COLLECTOR.httpPort}`,
    collectorGrpc: `127.0.0.1:${COLLECTOR_GRPC_PORT}`,
    stop,
  };
}

/** Drops what the run left on the stack: its database, lake objects and consumer group (the topics are shared). */
export async function removeRunData(run: Pick<IngestRun, 'database' | 'lakePrefix' | 'groupId'>): Promise<void> {
  await dropDatabase(run.database).catch(() => undefined);
  await removeLakePrefix(run.lakePrefix).catch(() => undefined);
  await deleteGroup(run.groupId).catch(() => undefined);
}
