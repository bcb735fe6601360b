import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stackEndpoints, uniqueName } from '@kuroshio/testing';
import { removeObjectPrefix } from './ingest-lake.js';
import { withKafkaAdmin } from './ingest-topics.js';
import { dropDatabase } from './ingest-warehouse.js';
import { inferenceUpstreams, startServices } from './service-process.js';

// What continuous retraining talks to, as built processes on a port block of their own (176xx HTTP,
// 177xx gRPC): model registry, experiment service, feature store (this run's feature view, its own
// online topic and group) and the trainer with a retraining policies file; and inference, which
// serves the model's champion (its predictions and exposures go to topics of their own that nothing
// lands, so they never mix with the ones the test plants). A database of its own holds events,
// predictions, exposures and every change log.

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const PORTS = {
  'feature-store': { http: 17603, grpc: 17703 },
  trainer: { http: 17604, grpc: 17704 },
  'model-registry': { http: 17605, grpc: 17705 },
  inference: { http: 17606, grpc: 17706 },
  experiment: { http: 17607, grpc: 17707 },
} as const;
type ServiceName = keyof typeof PORTS;
export const grpcAddress = (service: ServiceName) => `127.0.0.1:${PORTS[service].grpc}`;

export interface RetrainingPlatform {
  readonly slug: string;
  readonly database: string;
  readonly onlineTopic: string;
  logs(): string;
  /**
   * SIGTERM to every service (each must drain and exit 0), then removes the database, topics, the
   * online store's snapshots and the given object prefixes (training sets, job artifacts); returns the exit codes.
   */
  stop(prefixes: { readonly lake: readonly string[]; readonly models: readonly string[] }): Promise<Record<string, number | null>>;
}

export interface RetrainingPlatformFiles {
  /** Feature-view YAML the feature store loads (its views directory holds only this). */
  readonly featureViews: string;
  /** The trainer's TRAINER_RETRAINING_POLICIES_FILE. */
  readonly policies: string;
}

export async function startRetrainingPlatform(files: RetrainingPlatformFiles): Promise<RetrainingPlatform> {
  const slug = uniqueName('rt').replace(/[^a-z0-9]/g, '');
  const database = `e2e_${slug}`;
  const topics = {
    online: `e2e.${slug}.clean`,
    exposures: `e2e.${slug}.exposures`,
    aliases: `e2e.${slug}.aliases`,
    servedPredictions: `e2e.${slug}.served-predictions`,
    servedExposures: `e2e.${slug}.served-exposures`,
  };
  const groups = [`e2e-exposures-${slug}`, `e2e-fs-${slug}`];

  const directory = await mkdtemp(join(tmpdir(), 'e2e-retraining-'));
  const viewsDirectory = join(directory, 'feature-views');
  await mkdir(viewsDirectory);
  await writeFile(join(viewsDirectory, 'views.yaml'), files.featureViews);
  const policiesFile = join(directory, 'policies.yaml');
  await writeFile(policiesFile, files.policies);
  await promisify(execFile)(process.execPath, ['libs/clickhouse/dist/cli/migrate.js'], { cwd: repoRoot, env: { ...process.env, CLICKHOUSE_DATABASE: database } });
  await withKafkaAdmin((admin) =>
    admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: topics.online, numPartitions: 2 },
        { topic: topics.exposures, numPartitions: 2 },
        { topic: topics.aliases, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
        { topic: topics.servedPredictions, numPartitions: 1 },
        { topic: topics.servedExposures, numPartitions: 1 },
      ],
    }),
  );

  const ports = (service: ServiceName) => ({ HTTP_PORT: String(PORTS[service].http), GRPC_PORT: String(PORTS[service].grpc) });
  const db = { CLICKHOUSE_DATABASE: database };
  const env: Record<ServiceName, Record<string, string>> = {
    'model-registry': { ...ports('model-registry'), ...db, REGISTRY_ALIAS_CHANGES_TOPIC: topics.aliases },
    experiment: { ...ports('experiment'), ...db, EXPERIMENT_EXPOSURES_TOPIC: topics.exposures, EXPERIMENT_EXPOSURE_SINK_GROUP: groups[0] as string },
    'feature-store': { ...ports('feature-store'), ...db, FEATURE_STORE_VIEWS_DIR: viewsDirectory, FEATURE_STORE_ONLINE_TOPIC: topics.online, FEATURE_STORE_ONLINE_GROUP: groups[1] as string },
    trainer: {
      ...ports('trainer'),
      ...db,
      TRAINER_FEATURE_STORE_ADDRESS: grpcAddress('feature-store'),
      TRAINER_MODEL_REGISTRY_ADDRESS: grpcAddress('model-registry'),
      TRAINER_EXPERIMENT_ADDRESS: grpcAddress('experiment'),
      TRAINER_RETRAINING_POLICIES_FILE: policiesFile,
      TRAINER_EXPORT_POLL_INTERVAL_MS: '200',
      TRAINER_TFJS_BACKEND: 'wasm',
    },
    inference: {
      ...ports('inference'),
      ...db,
      ...inferenceUpstreams(grpcAddress),
      INFERENCE_ALIAS_CHANGES_TOPIC: topics.aliases,
      INFERENCE_ALIAS_CHANGES_GROUP_PREFIX: `e2e-inference-aliases-${slug}`,
      INFERENCE_PREDICTIONS_TOPIC: topics.servedPredictions,
      INFERENCE_EXPOSURES_TOPIC: topics.servedExposures,
      INFERENCE_WAREHOUSE_SINK: 'false',
      INFERENCE_TFJS_BACKEND: 'wasm',
    },
  };
  const group = startServices(env);
  const { buckets } = stackEndpoints().s3;
  const cleanUp = async () => {
    await removeObjectPrefix(buckets.lake, `feature-store/online-snapshots/${groups[1]}/`).catch(() => undefined);
    await withKafkaAdmin(async (admin) => {
      await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
      await admin.deleteGroups(groups).catch(() => undefined);
    }).catch(() => undefined);
    await dropDatabase(database).catch(() => undefined);
    await rm(directory, { recursive: true, force: true });
  };
  try {
    await group.ready();
  } catch (error) {
    await group.stop();
    await cleanUp();
    throw error;
  }

  return {
    slug,
    database,
    onlineTopic: topics.online,
    logs: () => group.logs(),
    stop: async (prefixes) => {
      const codes = await group.stop();
      for (const prefix of prefixes.lake) await removeObjectPrefix(buckets.lake, prefix).catch(() => undefined);
      for (const prefix of prefixes.models) await removeObjectPrefix(buckets.models, prefix).catch(() => undefined);
      await cleanUp();
      return codes;
    },
  };
}
