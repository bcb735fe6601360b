import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ClickHouseSettings } from '@kuroshio/config';
import { LOCAL_PLATFORM, type PlatformEndpoints } from '@kuroshio/scenario';
import { stackEndpoints, uniqueName } from '@kuroshio/testing';
import { removeLakePrefix, removeObjectPrefix } from './ingest-lake.js';
import { withKafkaAdmin } from './ingest-topics.js';
import { dropDatabase } from './ingest-warehouse.js';
import { inferenceUpstreams, startServices } from './service-process.js';

// All seven services as processes on a port block of their own (174xx HTTP, 175xx gRPC), with a
// database, Kafka topics, consumer groups and S3 prefixes of their own: a run shares nothing with the
// demo or another e2e test on the same stack but the brokers, the ClickHouse server and the buckets.

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const PORTS = {
  collector: { http: 17401, grpc: 17501 },
  etl: { http: 17402 },
  'feature-store': { http: 17403, grpc: 17503 },
  trainer: { http: 17404, grpc: 17504 },
  'model-registry': { http: 17405, grpc: 17505 },
  inference: { http: 17406, grpc: 17506 },
  experiment: { http: 17407, grpc: 17507 },
} as const;
type ServiceName = keyof typeof PORTS;

const grpcAddress = (service: ServiceName) => `127.0.0.1:${(PORTS[service] as { grpc: number }).grpc}`;

export interface IsolatedPlatform {
  /** Lower-case letters and digits naming this run (model names, customer prefixes, keys). */
  readonly slug: string;
  readonly database: string;
  readonly endpoints: PlatformEndpoints;
  readonly clickhouse: ClickHouseSettings;
  /** The last lines each service printed, for a failure message. */
  logs(): string;
  /** Stops the services (each must drain and exit 0) and removes what the run created; returns the exit codes. */
  stop(options: { modelNames: readonly string[]; trainingSets: readonly string[] }): Promise<Record<string, number | null>>;
}

export async function startIsolatedPlatform(name: string): Promise<IsolatedPlatform> {
  const slug = uniqueName(name).replace(/[^a-z0-9]/g, '');
  const database = `e2e_${slug}`;
  const tenant = `e2e-${slug}`;
  const lakePrefix = `e2e-${slug}/`;
  // Topic names follow the contract's kuroshio.<area>.<name>.v<n> (the collector insists): a letters-only area per run.
  const area = slug.replace(/[0-9]/g, (digit) => 'abcdefghij'[Number(digit)] as string);
  const topic = (name: string) => `kuroshio.${area}.${name}.v1`;
  const topics = { raw: topic('raw'), clean: topic('clean'), dlq: topic('dlq'), aliases: topic('aliases'), predictions: topic('predictions'), exposures: topic('exposures') };
  const groups = { etl: `e2e-etl-${slug}`, online: `e2e-fs-${slug}`, predictions: `e2e-predictions-${slug}`, exposures: `e2e-exposures-${slug}`, aliases: `e2e-aliases-${slug}` };
  const keys = { web: `wk-web-${randomBytes(12).toString('hex')}`, line: `wk-line-${randomBytes(12).toString('hex')}` };
  const lineChannelSecret = randomBytes(16).toString('hex');

  const directory = await mkdtemp(join(tmpdir(), 'e2e-platform-'));
  const sourcesFile = join(directory, 'sources.json');
  await writeFile(
    sourcesFile,
    JSON.stringify([
      { tenant, source: `${tenant}-web`, channel: 'web', writeKeySha256: sha256(keys.web) },
      { tenant, source: `${tenant}-line`, channel: 'line', allowedChannels: ['line'], writeKeySha256: sha256(keys.line), lineChannelSecret },
    ]),
  );
  await promisify(execFile)(process.execPath, ['libs/clickhouse/dist/cli/migrate.js'], { cwd: repoRoot, env: { ...process.env, CLICKHOUSE_DATABASE: database } });
  await withKafkaAdmin((admin) =>
    admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: topics.raw, numPartitions: 3 },
        { topic: topics.clean, numPartitions: 3 },
        { topic: topics.dlq, numPartitions: 1 },
        { topic: topics.aliases, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
        { topic: topics.predictions, numPartitions: 2 },
        { topic: topics.exposures, numPartitions: 2 },
      ],
    }),
  );

  const ports = (service: ServiceName) => {
    const p = PORTS[service] as { http: number; grpc?: number };
    return { HTTP_PORT: String(p.http), ...(p.grpc === undefined ? {} : { GRPC_PORT: String(p.grpc) }) };
  };
  const db = { CLICKHOUSE_DATABASE: database };
  const env: Record<ServiceName, Record<string, string>> = {
    collector: { ...ports('collector'), COLLECTOR_SOURCES_FILE: sourcesFile, COLLECTOR_RAW_TOPIC: topics.raw },
    etl: {
      ...ports('etl'),
      ...db,
      ETL_RAW_TOPIC: topics.raw,
      ETL_CLEAN_TOPIC: topics.clean,
      ETL_DLQ_TOPIC: topics.dlq,
      ETL_CONSUMER_GROUP: groups.etl,
      ETL_LAKE_PREFIX: lakePrefix,
      ETL_PII_KEY: randomBytes(32).toString('base64'),
      ETL_SINK_RETRY_DELAY_MS: '500',
    },
    'feature-store': { ...ports('feature-store'), ...db, FEATURE_STORE_ONLINE_TOPIC: topics.clean, FEATURE_STORE_ONLINE_GROUP: groups.online },
    trainer: { ...ports('trainer'), ...db, TRAINER_FEATURE_STORE_ADDRESS: grpcAddress('feature-store'), TRAINER_MODEL_REGISTRY_ADDRESS: grpcAddress('model-registry') },
    'model-registry': { ...ports('model-registry'), ...db, REGISTRY_ALIAS_CHANGES_TOPIC: topics.aliases },
    inference: {
      ...ports('inference'),
      ...db,
      ...inferenceUpstreams(grpcAddress),
      INFERENCE_ALIAS_CHANGES_TOPIC: topics.aliases,
      INFERENCE_ALIAS_CHANGES_GROUP_PREFIX: groups.aliases,
      INFERENCE_PREDICTIONS_TOPIC: topics.predictions,
      INFERENCE_EXPOSURES_TOPIC: topics.exposures,
      INFERENCE_WAREHOUSE_GROUP: groups.predictions,
      // Model loads and swaps are logged at info: what a failure message needs when serving breaks.
      LOG_LEVEL: 'info',
    },
    experiment: { ...ports('experiment'), ...db, EXPERIMENT_EXPOSURES_TOPIC: topics.exposures, EXPERIMENT_EXPOSURE_SINK_GROUP: groups.exposures },
  };
  const group = startServices(env);
  const cleanUp = async (modelNames: readonly string[], trainingSets: readonly string[]) => {
    await dropDatabase(database).catch(() => undefined);
    await withKafkaAdmin(async (admin) => {
      await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
      const { groups: existing } = await admin.listGroups();
      const ours = existing.map((g) => g.groupId).filter((id) => Object.values(groups).some((group) => id.startsWith(group)));
      if (ours.length > 0) await admin.deleteGroups(ours).catch(() => undefined);
    }).catch(() => undefined);
    for (const prefix of [lakePrefix, `feature-store/online-snapshots/${groups.online}/`, ...trainingSets.map((id) => `training-sets/${id}/`)]) await removeLakePrefix(prefix).catch(() => undefined);
    for (const model of modelNames) await removeObjectPrefix(stackEndpoints().s3.buckets.models, `models/${model}/`).catch(() => undefined);
    await rm(directory, { recursive: true, force: true });
  };

  try {
    await group.ready();
  } catch (error) {
    await group.stop();
    await cleanUp([], []);
    throw error;
  }

  return {
    slug,
    database,
    endpoints: {
      ...LOCAL_PLATFORM,
      collectorHttp: `http://127.0.0.1:${PORTS.collector.http}`,
      collectorGrpc: grpcAddress('collector'),
      featureStoreGrpc: grpcAddress('feature-store'),
      trainerGrpc: grpcAddress('trainer'),
      registryGrpc: grpcAddress('model-registry'),
      inferenceGrpc: grpcAddress('inference'),
      experimentGrpc: grpcAddress('experiment'),
      experimentHttp: `http://127.0.0.1:${PORTS.experiment.http}`,
      writeKey: keys.web,
      lineSource: `${tenant}-line`,
      lineChannelSecret,
    },
    clickhouse: { ...stackEndpoints().clickhouse, database },
    logs: () => group.logs(8_000),
    async stop({ modelNames, trainingSets }) {
      const codes = await group.stop();
      await cleanUp(modelNames, trainingSets);
      return codes;
    },
  };
}
