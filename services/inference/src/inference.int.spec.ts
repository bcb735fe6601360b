import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { status, type ServiceError } from '@grpc/grpc-js';
import { ClickHouseClient, ident, sql } from '@kuroshio/clickhouse';
import { aliasChangeKey, encodeTopicValue, grpcJs, retrainingExperimentKey, TOPICS } from '@kuroshio/contracts';
import { KafkaClient } from '@kuroshio/kafka';
import { selectBackend } from '@kuroshio/model-runtime';
import { ObjectStore } from '@kuroshio/object-store';
import type { RunningService } from '@kuroshio/service-kit';
import { createLogger } from '@kuroshio/telemetry';
import { stackEndpoints, uniqueName, waitFor } from '@kuroshio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InferenceConfig } from './config.js';
import { FakeExperimentService, FakeFeatureStore, FakeModelRegistry } from './testing/fake-grpc-servers.js';
import { InferenceTestClient } from './testing/inference-test-client.js';
import { startInference } from './testing/inference-under-test.js';
import { storeTestModel, type StoredTestModel } from './testing/stored-model.js';

// Inference on the real stack (Kafka, ClickHouse, S3) with a small tfjs model saved to S3 in the
// trainer's layout by the test, and FAKE registry, feature store and experiment gRPC servers.

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const logger = createLogger({ service: 'inference-int-test', level: 'error' });
const endpoints = stackEndpoints();
const model = uniqueName('it-model');
// A second model with a challenger out, so its champion's routing leaves the first model's tests alone.
const retrained = uniqueName('it-retrained');
const database = uniqueName('it_inference', '_');
const topics = {
  predictions: uniqueName('it.inference.predictions', '.'),
  exposures: uniqueName('it.inference.exposures', '.'),
  aliases: uniqueName('it.inference.aliases', '.'),
};
const apiKey = 'it-key-' + uniqueName('k');

const kafka = new KafkaClient({ ...endpoints.kafka, clientId: 'inference-int-test', logger });
const clickhouse = new ClickHouseClient({ ...endpoints.clickhouse, database, logger });
const store = new ObjectStore({ ...endpoints.s3 });
const registry = new FakeModelRegistry();
const featureStore = new FakeFeatureStore();
const experiments = new FakeExperimentService();
let service: RunningService<InferenceConfig>;
let client: InferenceTestClient;
let v1: StoredTestModel;
let v2: StoredTestModel;

const double = (doubleValue: number) => ({ doubleValue });
const grpcCode = (error: unknown) => (error as ServiceError).code;

async function publishAlias(version: number, previous: number | null) {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send(topics.aliases, [
    {
      key: aliasChangeKey(model, 'champion'),
      value: encodeTopicValue(TOPICS.registryAliasChanges, {
        modelName: model,
        alias: 'champion',
        version,
        previousVersion: previous,
        changedAt: new Date().toISOString(),
        changedBy: 'it-tester',
        reason: 'test',
        auditEventId: uniqueName('audit'),
      }),
    },
  ]);
  await producer.disconnect();
}

beforeAll(async () => {
  await promisify(execFile)('npx', ['tsc', '-b', 'libs/clickhouse'], { cwd: repoRoot });
  await promisify(execFile)(process.execPath, ['libs/clickhouse/dist/cli/migrate.js'], { cwd: repoRoot, env: { ...process.env, CLICKHOUSE_DATABASE: database } });
  await kafka.ensureTopics([
    { name: topics.predictions, partitions: 2 },
    { name: topics.exposures, partitions: 1 },
    { name: topics.aliases, partitions: 1, cleanupPolicy: 'compact' },
  ]);
  await selectBackend();
  v1 = await storeTestModel(store, endpoints.s3.buckets.models, model, 1, 1);
  v2 = await storeTestModel(store, endpoints.s3.buckets.models, model, 2, 7);
  registry.add(v1.version);
  registry.add(v2.version);
  registry.aliases.set(`${model}@champion`, 1);
  for (const [version, seed] of [[1, 1], [2, 7]] as const) registry.add((await storeTestModel(store, endpoints.s3.buckets.models, retrained, version, seed)).version);
  registry.aliases.set(`${retrained}@champion`, 1);
  registry.aliases.set(`${retrained}@challenger`, 2);
  const retrainingKey = retrainingExperimentKey(retrained, 2);
  experiments.experiments.set(
    retrainingKey,
    grpcJs.experiment.v1.Experiment.fromPartial({
      key: retrainingKey,
      salt: retrainingKey,
      revision: 1,
      state: grpcJs.experiment.v1.ExperimentState.EXPERIMENT_STATE_RUNNING,
      variants: [
        { key: 'champion', weight: 1, control: true, model: { modelName: retrained, version: 1 } },
        { key: 'challenger', weight: 1, model: { modelName: retrained, version: 2 } },
      ],
    }),
  );
  featureStore.values.set('cust-1', { 'billing:amount_sum_30d': double(42_000), 'billing:late_count_90d': { int64Value: 2 }, 'app:logins_count_7d': { int64Value: 4 } });
  featureStore.values.set('cust-2', { 'billing:amount_sum_30d': double(1_500) });
  experiments.experiments.set(
    'it_challenger',
    grpcJs.experiment.v1.Experiment.fromPartial({
      key: 'it_challenger',
      salt: 'it',
      revision: 2,
      state: grpcJs.experiment.v1.ExperimentState.EXPERIMENT_STATE_RUNNING,
      variants: [
        { key: 'champion', weight: 1, control: true, model: { modelName: model, version: 1 } },
        { key: 'challenger', weight: 1, model: { modelName: model, version: 2 } },
      ],
    }),
  );
  const [registryAddress, featureAddress, experimentAddress] = await Promise.all([registry.start(), featureStore.start(), experiments.start()]);
  service = await startInference({
    CLICKHOUSE_DATABASE: database,
    INFERENCE_MODEL_REGISTRY_ADDRESS: registryAddress,
    INFERENCE_FEATURE_STORE_ADDRESS: featureAddress,
    INFERENCE_EXPERIMENT_ADDRESS: experimentAddress,
    INFERENCE_PREDICTIONS_TOPIC: topics.predictions,
    INFERENCE_EXPOSURES_TOPIC: topics.exposures,
    INFERENCE_ALIAS_CHANGES_TOPIC: topics.aliases,
    INFERENCE_ALIAS_CHANGES_GROUP_PREFIX: uniqueName('it-inference-aliases'),
    INFERENCE_WAREHOUSE_GROUP: uniqueName('it-inference-sink'),
    INFERENCE_PRELOAD: `${model}@champion`,
    INFERENCE_FEATURE_CACHE_TTL_MS: '0',
    INFERENCE_AUTH: 'api-key',
    INFERENCE_API_KEY_SHA256: createHash('sha256').update(apiKey).digest('hex'),
  });
  client = new InferenceTestClient(service.grpcAddress!, { 'x-api-key': apiKey });
  await waitFor(async () => (await fetch(`${service.httpUrl}/readyz`)).status === 200, { timeoutMs: 60_000, description: 'inference ready' });
});

afterAll(async () => {
  client?.close();
  await service?.close();
  await Promise.all([registry.stop(), featureStore.stop(), experiments.stop()]);
  await clickhouse.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`).catch(() => undefined);
  await clickhouse.close();
  await kafka.disconnect();
});

describe('inference on the real stack', () => {
  it('Predict joins online features and scores exactly as the model does on the trainer’s vectorisation', async () => {
    const response = await client.predict({ model: { modelName: model, alias: 'champion' }, instance: { entityId: 'cust-1' }, requestId: 'it-1' });
    const [expected] = await v1.score([{ numeric: [42_000, 2, 4], text: null }]);
    expect(response.requestId).toBe('it-1');
    expect(response.prediction).toMatchObject({ modelName: model, modelVersion: 1, missingFeatures: [], experimentKey: '', variant: '' });
    expect(response.prediction!.scores[0]).toBeCloseTo(expected!, 6);
  });

  it('reports features without an online value in missing_features and imputes them', async () => {
    const response = await client.predict({ model: { modelName: model, alias: 'champion' }, instance: { entityId: 'cust-2' } });
    expect(response.prediction!.missingFeatures).toEqual(['billing:late_count_90d', 'app:logins_count_7d']);
    const [expected] = await v1.score([{ numeric: [1_500, Number.NaN, Number.NaN], text: null }]);
    expect(response.prediction!.scores[0]).toBeCloseTo(expected!, 6);
  });

  it('PredictBatch answers in request order, explicit features and entities mixed, pinned version', async () => {
    const explicit = { 'billing:amount_sum_30d': double(9_000), 'billing:late_count_90d': double(0), 'app:logins_count_7d': double(1) };
    const response = await client.predictBatch({
      model: { modelName: model, version: 2 },
      requestId: 'it-batch',
      instances: [{ entityId: 'cust-1' }, { features: explicit }, { entityId: 'cust-2' }],
    });
    const expected = await v2.score([
      { numeric: [42_000, 2, 4], text: null },
      { numeric: [9_000, 0, 1], text: null },
      { numeric: [1_500, Number.NaN, Number.NaN], text: null },
    ]);
    expect(response.predictions.map((p) => p.modelVersion)).toEqual([2, 2, 2]);
    response.predictions.forEach((p, i) => expect(p.scores[0]).toBeCloseTo(expected[i]!, 6));
  });

  it('answers bad requests with their codes and keeps serving', async () => {
    const expectCode = async (promise: Promise<unknown>, code: status, message?: RegExp) => {
      const error = await promise.then(() => undefined, (e: unknown) => e);
      expect(grpcCode(error), String(error)).toBe(code);
      if (message) expect((error as ServiceError).details).toMatch(message);
    };
    await expectCode(client.predict({ model: { modelName: model, alias: 'champion' }, instance: { features: { 'billing:amount_sum_30d': double(Number.NaN) } } }), status.INVALID_ARGUMENT, /NaN/);
    await expectCode(client.predict({ model: { modelName: model, alias: 'champion' }, instance: {} }), status.INVALID_ARGUMENT, /neither an entity_id nor features/);
    await expectCode(client.predict({ model: { modelName: model }, instance: { entityId: 'x' } }), status.INVALID_ARGUMENT, /exactly one of alias or version/);
    await expectCode(client.predictBatch({ model: { modelName: model, alias: 'champion' }, instances: [] }), status.INVALID_ARGUMENT, /empty/);
    await expectCode(client.predict({ model: { modelName: 'no-such-model', alias: 'champion' }, instance: { entityId: 'x' } }), status.NOT_FOUND);
    await expectCode(client.predict({ model: { modelName: model, version: 99 }, instance: { entityId: 'x' } }), status.NOT_FOUND);
    await expectCode(new InferenceTestClient(service.grpcAddress!, { 'x-api-key': 'wrong' }).predict({ model: { modelName: model, alias: 'champion' }, instance: { entityId: 'cust-1' } }), status.UNAUTHENTICATED);
    featureStore.down = true;
    await expectCode(client.predict({ model: { modelName: model, alias: 'champion' }, instance: { entityId: 'cust-1' } }), status.UNAVAILABLE, /online features/);
    featureStore.down = false;
    await expect(client.predict({ model: { modelName: model, alias: 'champion' }, instance: { entityId: 'cust-1' } })).resolves.toBeDefined();
  });

  it('PredictStream answers every request by id, a bad one with an error, and the stream goes on', async () => {
    const requests = Array.from({ length: 20 }, (_, i) => ({ model: { modelName: model, alias: 'champion' }, instance: { entityId: i % 2 === 0 ? 'cust-1' : 'cust-2' }, requestId: `s-${i}` }));
    requests.splice(5, 0, { model: { modelName: model, alias: 'champion' }, instance: { entityId: '' }, requestId: 's-bad' });
    const responses = await client.stream(requests);
    expect(responses).toHaveLength(21);
    const byId = new Map(responses.map((r) => [r.requestId, r]));
    expect(byId.get('s-bad')?.error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    for (let i = 0; i < 20; i++) expect(byId.get(`s-${i}`)?.prediction?.modelVersion).toBe(1);
  });

  it('routes by a running experiment and labels the variant', async () => {
    const response = await client.predictBatch({
      model: { modelName: model, alias: 'champion' },
      experimentKey: 'it_challenger',
      instances: Array.from({ length: 30 }, (_, i) => ({ entityId: `unit-${i}` })),
    });
    for (const p of response.predictions) expect(p.modelVersion).toBe(p.variant === 'champion' ? 1 : 2);
    expect(new Set(response.predictions.map((p) => p.variant))).toEqual(new Set(['champion', 'challenger']));
  });

  it("routes requests for a champion that name no experiment by its challenger's retraining experiment", async () => {
    const instances = Array.from({ length: 30 }, (_, i) => ({ entityId: `unit-${i}` }));
    const routed = await client.predictBatch({ model: { modelName: retrained, alias: 'champion' }, instances });
    for (const p of routed.predictions) {
      expect(p.experimentKey).toBe(retrainingExperimentKey(retrained, 2));
      expect(p.modelVersion).toBe(p.variant === 'champion' ? 1 : 2);
    }
    expect(new Set(routed.predictions.map((p) => p.variant))).toEqual(new Set(['champion', 'challenger']));
    // A pinned version is served as asked.
    const pinned = await client.predictBatch({ model: { modelName: retrained, version: 1 }, instances });
    expect(pinned.predictions.every((p) => p.modelVersion === 1 && p.variant === '' && p.experimentKey === '')).toBe(true);
  });

  it('hot-swaps champion from version 1 to 2 under a loop of requests without a failed request', async () => {
    await publishAlias(1, null);
    const failures: unknown[] = [];
    const versions = new Set<number>();
    let swapped = false;
    const loop = (async () => {
      let sinceSwap = 0;
      while (sinceSwap < 50) {
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            try {
              const r = await client.predict({ model: { modelName: model, alias: 'champion' }, instance: { entityId: 'cust-1' } });
              versions.add(r.prediction!.modelVersion);
              if (r.prediction!.modelVersion === 2) swapped = true;
            } catch (error) {
              failures.push(error);
            }
          }),
        );
        if (swapped) sinceSwap += 1;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    registry.aliases.set(`${model}@champion`, 2);
    await publishAlias(2, 1);
    await Promise.race([loop, new Promise((_, reject) => setTimeout(() => reject(new Error(`no swap within 45 s; versions seen ${[...versions]}`)), 45_000))]);
    expect(failures).toEqual([]);
    expect([...versions].sort()).toEqual([1, 2]);
    const after = await client.predict({ model: { modelName: model, alias: 'champion' }, instance: { entityId: 'cust-1' } });
    expect(after.prediction!.modelVersion).toBe(2);
  });

  it('lands every prediction in ClickHouse `predictions`, batch items as <request>#<i>', async () => {
    await waitFor(
      async () => {
        const rows = await clickhouse.query<{ request_id: string }>(sql`SELECT request_id FROM predictions FINAL WHERE request_id IN ('it-1', 'it-batch#0', 'it-batch#1', 'it-batch#2')`);
        return rows.length === 4;
      },
      { timeoutMs: 60_000, description: 'predictions landed' },
    );
    const [row] = await clickhouse.query<{ entity_id: string; model_version: number; artifact: string; feature_vector_hash: string; score: number }>(
      sql`SELECT entity_id, model_version, artifact, feature_vector_hash, score FROM predictions FINAL WHERE request_id = 'it-1'`,
    );
    expect(row).toMatchObject({ entity_id: 'cust-1', model_version: 1, artifact: 'full' });
    expect(row?.feature_vector_hash).toMatch(/^[0-9a-f]{64}$/);
    const routed = await clickhouse.query<{ n: string }>(sql`SELECT count() AS n FROM predictions FINAL WHERE experiment_key = 'it_challenger'`);
    expect(Number(routed[0]?.n)).toBe(30);
  });
});
