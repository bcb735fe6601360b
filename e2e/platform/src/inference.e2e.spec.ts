import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import * as tf from '@tensorflow/tfjs';
import { grpcJs } from '@kuroshio/contracts';
import { stackEndpoints, uniqueName, waitFor } from '@kuroshio/testing';
import { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withKafka } from './ingest-topics.js';
import { dropDatabase, warehouseRows } from './ingest-warehouse.js';
import { LOGISTIC_VERSION_KEYS, storeLogisticVersion } from './logistic-model.js';
import { startService, waitForHttp, type ServiceProcess } from './service-process.js';

// The built model-registry and inference as processes: two tfjs versions saved to S3 in the trainer's
// layout and registered (the registry verifies every checksum), champion set through the registry,
// Predict over gRPC, then champion moved to version 2 through the registry: inference follows the
// alias-changes topic and hot-swaps while a loop of requests runs, none failing; the predictions
// land in ClickHouse through inference's warehouse sink.

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const endpoints = stackEndpoints();
const registryPorts = { http: 17025, grpc: 17125 };
const inferencePorts = { http: 17026, grpc: 17126 };
const database = uniqueName('e2e_inference', '_');
const topics = { aliases: uniqueName('e2e.inference.aliases', '.'), predictions: uniqueName('e2e.inference.predictions', '.'), exposures: uniqueName('e2e.inference.exposures', '.') };
const model = uniqueName('e2e-infer').slice(0, 60);
const prefix = `models/${model}`;
const bucket = endpoints.s3.buckets.models;
const ACTOR = 'e2e-operator@kuroshio';
const s3 = new Client({
  endPoint: new URL(endpoints.s3.endpoint).hostname,
  port: Number(new URL(endpoints.s3.endpoint).port || 80),
  useSSL: false,
  accessKey: endpoints.s3.accessKey,
  secretKey: endpoints.s3.secretKey.reveal(),
  region: endpoints.s3.region,
  pathStyle: true,
});
const registryV1 = grpcJs.registry.v1;
const inferenceV1 = grpcJs.inference.v1;
const services: ServiceProcess[] = [];
let registry: grpcJs.registry.v1.ModelRegistryClient;
let inference: grpcJs.inference.v1.InferenceServiceClient;

const FEATURES = [
  { featureView: 'billing', feature: 'amount_sum_30d' },
  { featureView: 'app', feature: 'logins_count_7d' },
];

function call<T>(invoke: (metadata: Metadata, callback: (error: ServiceError | null, response: T) => void) => unknown): Promise<T> {
  const metadata = new Metadata();
  metadata.set('x-kuroshio-actor', ACTOR);
  return new Promise((resolve, reject) => invoke(metadata, (error, response) => (error ? reject(error) : resolve(response))));
}

/** A logistic model over two normalised features, saved as the trainer saves one: model/, feature-spec/, normalizer/. */
function storeVersion(job: string, weights: [number, number], bias: number) {
  const inputs = [
    { ...FEATURES[0]!, mean: 10_000, std: 5_000 },
    { ...FEATURES[1]!, mean: 4, std: 2 },
  ];
  return storeLogisticVersion(s3, bucket, `${prefix}/${job}`, inputs, weights, bias);
}

function predict(requestId: string): Promise<grpcJs.inference.v1.PredictResponse> {
  const request = inferenceV1.PredictRequest.fromPartial({
    model: { modelName: model, alias: 'champion' },
    instance: { entityId: 'cust-e2e', features: { 'billing:amount_sum_30d': { doubleValue: 20_000 }, 'app:logins_count_7d': { int64Value: 2 } } },
    requestId,
  });
  return new Promise((resolve, reject) => inference.predict(request, new Metadata(), { deadline: Date.now() + 10_000 }, (error, response) => (error ? reject(error) : resolve(response))));
}

beforeAll(async () => {
  await promisify(execFile)(process.execPath, ['libs/clickhouse/dist/cli/migrate.js'], { cwd: repoRoot, env: { ...process.env, CLICKHOUSE_DATABASE: database } });
  await withKafka((kafka) =>
    kafka.ensureTopics([
      { name: topics.aliases, partitions: 1, cleanupPolicy: 'compact' },
      { name: topics.predictions, partitions: 2 },
      { name: topics.exposures, partitions: 1 },
    ]),
  );
  await tf.setBackend('cpu');

  const registryProcess = startService('model-registry', { HTTP_PORT: String(registryPorts.http), GRPC_PORT: String(registryPorts.grpc), CLICKHOUSE_DATABASE: database, REGISTRY_ALIAS_CHANGES_TOPIC: topics.aliases });
  services.push(registryProcess);
  await waitForHttp(`http://127.0.0.1:${registryPorts.http}/healthz`, registryProcess);
  await waitFor(async () => (await fetch(`http://127.0.0.1:${registryPorts.http}/readyz`)).status === 200, { timeoutMs: 60_000, description: 'model-registry ready' });
  registry = new registryV1.ModelRegistryClient(`127.0.0.1:${registryPorts.grpc}`, credentials.createInsecure());
  await call((m, cb) => registry.createModel({ name: model, description: 'e2e inference', owner: 'e2e', labels: {} }, m, cb));
  for (const [job, weights, bias] of [['job-1', [1, -1], 0], ['job-2', [-2, 0.5], 1]] as const) {
    const artifacts = await storeVersion(job, [...weights], bias);
    await call((m, cb) => registry.registerModelVersion(registryV1.RegisterModelVersionRequest.fromPartial({ modelName: model, requestId: job, artifacts, lineage: { codeVersion: 'e2e', trainingJobId: job } }), m, cb));
  }
  await call((m, cb) => registry.setAlias({ modelName: model, alias: 'champion', version: 1, reason: 'first' }, m, cb));

  const inferenceProcess = startService('inference', {
    HTTP_PORT: String(inferencePorts.http),
    GRPC_PORT: String(inferencePorts.grpc),
    CLICKHOUSE_DATABASE: database,
    INFERENCE_MODEL_REGISTRY_ADDRESS: `127.0.0.1:${registryPorts.grpc}`,
    INFERENCE_ALIAS_CHANGES_TOPIC: topics.aliases,
    INFERENCE_PREDICTIONS_TOPIC: topics.predictions,
    INFERENCE_EXPOSURES_TOPIC: topics.exposures,
    INFERENCE_WAREHOUSE_GROUP: uniqueName('e2e-inference-sink'),
    INFERENCE_PRELOAD: `${model}@champion`,
  });
  services.push(inferenceProcess);
  await waitForHttp(`http://127.0.0.1:${inferencePorts.http}/healthz`, inferenceProcess);
  await waitFor(async () => (await fetch(`http://127.0.0.1:${inferencePorts.http}/readyz`)).status === 200, { timeoutMs: 60_000, description: 'inference ready' });
  inference = new inferenceV1.InferenceServiceClient(`127.0.0.1:${inferencePorts.grpc}`, credentials.createInsecure());
});

afterAll(async () => {
  inference?.close();
  registry?.close();
  for (const service of services.reverse()) expect(await service.stop()).toBe(0);
  await dropDatabase(database).catch(() => undefined);
  await withKafka((kafka) => kafka.deleteTopics(Object.values(topics))).catch(() => undefined);
  for (const job of ['job-1', 'job-2']) {
    for (const key of LOGISTIC_VERSION_KEYS) await s3.removeObject(bucket, `${prefix}/${job}/${key}`).catch(() => undefined);
  }
});

describe('inference with the real model registry', () => {
  it('serves champion, hot-swaps when the registry moves it, without a failed request, and lands every prediction', async () => {
    await waitFor(async () => (await predict('warm').then(() => true, () => false)), { timeoutMs: 30_000, description: 'champion loaded' });
    const first = await predict('e2e-1');
    // z = ((20000-10000)/5000, (2-4)/2) = (2, -1); version 1: sigmoid(2·1 + (-1)·(-1)) = sigmoid(3).
    expect(first.prediction).toMatchObject({ modelName: model, modelVersion: 1 });
    expect(first.prediction!.scores[0]).toBeCloseTo(1 / (1 + Math.exp(-3)), 5);

    const failures: unknown[] = [];
    const seen: number[] = [];
    let n = 0;
    const loop = (async () => {
      while (!seen.includes(2) || seen.filter((v) => v === 2).length < 20) {
        await predict(`loop-${n++}`).then((r) => seen.push(r.prediction!.modelVersion), (error: unknown) => failures.push(error));
      }
    })();
    await call((m, cb) => registry.setAlias({ modelName: model, alias: 'champion', version: 2, expectedVersion: 1, reason: 'promote challenger' }, m, cb));
    await Promise.race([loop, new Promise((_, reject) => setTimeout(() => reject(new Error(`no swap within 60 s: ${seen.slice(-5)}`)), 60_000))]);
    expect(failures).toEqual([]);
    const after = await predict('e2e-2');
    // version 2: sigmoid(2·(-2) + (-1)·0.5 + 1) = sigmoid(-3.5).
    expect(after.prediction!.modelVersion).toBe(2);
    expect(after.prediction!.scores[0]).toBeCloseTo(1 / (1 + Math.exp(3.5)), 5);

    await waitFor(async () => (await warehouseRows(database, `SELECT request_id FROM predictions FINAL WHERE request_id IN ('e2e-1', 'e2e-2')`)).length === 2, {
      timeoutMs: 60_000,
      description: 'predictions landed in ClickHouse',
    });
    const rows = await warehouseRows<{ request_id: string; model_version: number; entity_id: string }>(database, `SELECT request_id, model_version, entity_id FROM predictions FINAL WHERE request_id IN ('e2e-1', 'e2e-2') ORDER BY request_id`);
    expect(rows).toEqual([
      { request_id: 'e2e-1', model_version: 1, entity_id: 'cust-e2e' },
      { request_id: 'e2e-2', model_version: 2, entity_id: 'cust-e2e' },
    ]);
  });
});
