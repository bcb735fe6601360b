import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import * as tf from '@tensorflow/tfjs';
import { encodeTopicValue, grpcJs, TOPICS, type CleanEventValue } from '@kuroshio/contracts';
import { stackEndpoints, uniqueName, waitFor } from '@kuroshio/testing';
import { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeObjectPrefix } from './ingest-lake.js';
import { withKafka } from './ingest-topics.js';
import { dropDatabase } from './ingest-warehouse.js';
import { storeLogisticVersion } from './logistic-model.js';
import { SPAN_KIND, startOtlpReceiver, type ExportedSpan, type OtlpReceiver } from './otlp-receiver.js';
import { startService, waitForHttp, type ServiceProcess } from './service-process.js';

// One Predict through the built model-registry, feature-store and inference processes, each exporting
// spans over OTLP to a receiver here: the caller's traceparent → inference's server span → the
// prediction span → the registry call of the cold load and the feature-store call for the online
// features → the registry's and the feature store's server spans, all in the caller's trace.

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const endpoints = stackEndpoints();
const PORTS = { 'model-registry': { http: 17805, grpc: 17905 }, 'feature-store': { http: 17803, grpc: 17903 }, inference: { http: 17806, grpc: 17906 } } as const;
type ServiceName = keyof typeof PORTS;
const grpcAddress = (service: ServiceName) => `127.0.0.1:${PORTS[service].grpc}`;

const slug = uniqueName('trace').replace(/[^a-z0-9]/g, '');
const database = `e2e_${slug}`;
const topics = { online: `e2e.${slug}.clean`, aliases: `e2e.${slug}.aliases`, predictions: `e2e.${slug}.predictions`, exposures: `e2e.${slug}.exposures` };
const groups = { online: `e2e-fs-${slug}`, aliases: `e2e-aliases-${slug}` };
const model = `trace-${slug}`.slice(0, 60);
const modelRoot = `models/${model}/job-1`;
const ENTITY = 'trace-customer';
const VIEW = 'tr_billing';
const FEATURE_VIEWS_YAML = `
name: ${VIEW}
version: 1
entity: customer
description: Carrier-billing charges of the last 30 days.
owner: e2e
source:
  events: [Carrier Billing Charge]
ttl: 365d
features:
  - name: amount_sum_30d
    description: Charged amount in the last 30 days.
    aggregation: sum
    property: amount
    window: 30d
  - name: charges_count_30d
    description: Charges in the last 30 days.
    aggregation: count
    window: 30d
`;

const s3 = new Client({
  endPoint: new URL(endpoints.s3.endpoint).hostname,
  port: Number(new URL(endpoints.s3.endpoint).port || 80),
  useSSL: false,
  accessKey: endpoints.s3.accessKey,
  secretKey: endpoints.s3.secretKey.reveal(),
  region: endpoints.s3.region,
  pathStyle: true,
});
const services: ServiceProcess[] = [];
let receiver: OtlpReceiver;
let directory: string;
let registry: grpcJs.registry.v1.ModelRegistryClient;
let features: grpcJs.features.v1.FeatureServiceClient;
let inference: grpcJs.inference.v1.InferenceServiceClient;

function unary<T>(invoke: (metadata: Metadata, options: { deadline: number }, callback: (error: ServiceError | null, response: T) => void) => unknown, metadata = new Metadata()): Promise<T> {
  metadata.set('x-kuroshio-actor', 'e2e-tracing@kuroshio');
  return new Promise((resolve, reject) => invoke(metadata, { deadline: Date.now() + 60_000 }, (error, response) => (error ? reject(error) : resolve(response))));
}

async function startAndWait(name: ServiceName, env: Record<string, string>): Promise<void> {
  const service = startService(name, { HTTP_PORT: String(PORTS[name].http), GRPC_PORT: String(PORTS[name].grpc), CLICKHOUSE_DATABASE: database, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, ...env });
  services.push(service);
  await waitForHttp(`http://127.0.0.1:${PORTS[name].http}/healthz`, service, 60_000);
  await waitFor(async () => (await fetch(`http://127.0.0.1:${PORTS[name].http}/readyz`)).status === 200, { timeoutMs: 120_000, description: `${name} ready: ${service.output().slice(-2000)}` });
}

/** Two charges (12,000 + 8,000) in the last week, as the ETL would put them on the clean topic. */
async function publishCharges(): Promise<void> {
  await withKafka(async (kafka) => {
    const now = Date.now();
    const messages = [12_000, 8_000].map((amount, i) => {
      const value: CleanEventValue = {
        envelope: {
          messageId: `${slug}-charge-${i}`,
          type: 'track',
          event: 'Carrier Billing Charge',
          userId: ENTITY,
          timestamp: new Date(now - (i + 1) * 86_400_000).toISOString(),
          receivedAt: new Date(now).toISOString(),
          context: { channel: 'app' },
          tenant: 'e2e',
          source: 'e2e-tracing',
          properties: { amount },
        },
        processing: { raw: { topic: 'e2e.raw', partition: 0, offset: String(i) }, eventSchema: null, clockSkewMs: 0, tokenizedPaths: [], processedAt: new Date(now).toISOString() },
      };
      return { key: ENTITY, value: encodeTopicValue(TOPICS.eventsClean, value) };
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send(topics.online, messages);
  });
}

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  directory = await mkdtemp(join(tmpdir(), 'e2e-serving-tracing-'));
  await mkdir(join(directory, 'views'));
  await writeFile(join(directory, 'views', 'views.yaml'), FEATURE_VIEWS_YAML);
  await promisify(execFile)(process.execPath, ['libs/clickhouse/dist/cli/migrate.js'], { cwd: repoRoot, env: { ...process.env, CLICKHOUSE_DATABASE: database } });
  await withKafka((kafka) =>
    kafka.ensureTopics([
      { name: topics.online, partitions: 1 },
      { name: topics.aliases, partitions: 1, cleanupPolicy: 'compact' },
      { name: topics.predictions, partitions: 1 },
      { name: topics.exposures, partitions: 1 },
    ]),
  );
  await tf.setBackend('cpu');

  await Promise.all([
    startAndWait('model-registry', { REGISTRY_ALIAS_CHANGES_TOPIC: topics.aliases }),
    startAndWait('feature-store', { FEATURE_STORE_VIEWS_DIR: join(directory, 'views'), FEATURE_STORE_ONLINE_TOPIC: topics.online, FEATURE_STORE_ONLINE_GROUP: groups.online }),
  ]);
  registry = new grpcJs.registry.v1.ModelRegistryClient(grpcAddress('model-registry'), credentials.createInsecure());
  features = new grpcJs.features.v1.FeatureServiceClient(grpcAddress('feature-store'), credentials.createInsecure());

  // z = ((20,000 − 10,000) / 5,000, (2 − 4) / 2) = (2, −1); weights (1, −1): sigmoid(3).
  const inputs = [
    { featureView: VIEW, feature: 'amount_sum_30d', mean: 10_000, std: 5_000 },
    { featureView: VIEW, feature: 'charges_count_30d', mean: 4, std: 2 },
  ];
  const artifacts = await storeLogisticVersion(s3, endpoints.s3.buckets.models, modelRoot, inputs, [1, -1], 0);
  await unary((m, o, cb) => registry.createModel({ name: model, description: 'e2e serving trace', owner: 'e2e', labels: {} }, m, o, cb));
  await unary((m, o, cb) => registry.registerModelVersion(grpcJs.registry.v1.RegisterModelVersionRequest.fromPartial({ modelName: model, requestId: 'job-1', artifacts, lineage: { codeVersion: 'e2e', trainingJobId: 'job-1' } }), m, o, cb));
  await unary((m, o, cb) => registry.setAlias({ modelName: model, alias: 'champion', version: 1, reason: 'e2e tracing' }, m, o, cb));

  await publishCharges();
  await waitFor(
    async () => {
      const reply = await unary<grpcJs.features.v1.GetOnlineFeaturesResponse>((m, o, cb) =>
        features.getOnlineFeatures({ features: [{ featureView: VIEW, feature: 'charges_count_30d', version: 1 }], entityIds: [ENTITY] }, m, o, cb),
      );
      return reply.rows[0]?.values[0]?.value?.int64Value === 2;
    },
    { timeoutMs: 60_000, intervalMs: 250, description: 'the online store to serve the planted charges' },
  );

  // No preload: the first Predict loads the champion through the registry, inside its trace.
  await startAndWait('inference', {
    INFERENCE_MODEL_REGISTRY_ADDRESS: grpcAddress('model-registry'),
    INFERENCE_FEATURE_STORE_ADDRESS: grpcAddress('feature-store'),
    INFERENCE_ALIAS_CHANGES_TOPIC: topics.aliases,
    INFERENCE_ALIAS_CHANGES_GROUP_PREFIX: groups.aliases,
    INFERENCE_PREDICTIONS_TOPIC: topics.predictions,
    INFERENCE_EXPOSURES_TOPIC: topics.exposures,
    INFERENCE_WAREHOUSE_SINK: 'false',
    INFERENCE_COLD_LOAD_WAIT_MS: '60000',
    INFERENCE_FEATURE_TIMEOUT_MS: '10000',
  });
  inference = new grpcJs.inference.v1.InferenceServiceClient(grpcAddress('inference'), credentials.createInsecure());
});

afterAll(async () => {
  for (const client of [inference, features, registry]) client?.close();
  const codes = await Promise.all(services.map((service) => service.stop()));
  receiver?.close();
  await withKafka(async (kafka) => {
    await kafka.deleteTopics(Object.values(topics)).catch(() => undefined);
    await kafka.deleteGroups([groups.online]).catch(() => undefined);
  }).catch(() => undefined);
  await dropDatabase(database).catch(() => undefined);
  await removeObjectPrefix(endpoints.s3.buckets.models, `${modelRoot}/`).catch(() => undefined);
  await removeObjectPrefix(endpoints.s3.buckets.lake, `feature-store/online-snapshots/${groups.online}/`).catch(() => undefined);
  if (directory) await rm(directory, { recursive: true, force: true });
  expect(codes.every((code) => code === 0)).toBe(true);
});

describe('one trace from a Predict through inference to the feature store and the registry', () => {
  it('continues the caller’s trace through every service and links each span to its parent', async () => {
    // The calling app's span, as its own tracer would send it.
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const metadata = new Metadata();
    metadata.set('traceparent', `00-${traceId}-${callerSpanId}-01`);
    const reply = await unary<grpcJs.inference.v1.PredictResponse>(
      (m, o, cb) => inference.predict(grpcJs.inference.v1.PredictRequest.fromPartial({ model: { modelName: model, alias: 'champion' }, instance: { entityId: ENTITY }, requestId: `${slug}-1` }), m, o, cb),
      metadata,
    ).catch((error: unknown) => {
      throw new Error(`Predict failed: ${String(error)}\n${services.map((s) => `--- ${s.name}\n${s.output().slice(-2000)}`).join('\n')}`);
    });
    expect(reply.prediction).toMatchObject({ modelName: model, modelVersion: 1, missingFeatures: [] });
    expect(reply.prediction?.scores[0]).toBeCloseTo(1 / (1 + Math.exp(-3)), 5);

    // Spans leave each process in batches (every 5 s); wait for the feature store's and the registry's server spans.
    const GET_VERSION = 'kuroshio.registry.v1.ModelRegistry/GetModelVersion';
    const spansOf = (spans: readonly ExportedSpan[], service: ServiceName, kind: number, name: string) => spans.filter((span) => span.service === service && span.kind === kind && span.name === name);
    const trace = await waitFor(
      () => {
        const inTrace = receiver.spans.filter((span) => span.traceId === traceId);
        // Inference's server span ends last there, so with it come all of inference's spans of the call.
        const complete =
          spansOf(inTrace, 'inference', SPAN_KIND.server, 'kuroshio.inference.v1.InferenceService/Predict').length === 1 &&
          spansOf(inTrace, 'feature-store', SPAN_KIND.server, 'kuroshio.features.v1.FeatureService/GetOnlineFeatures').length > 0 &&
          spansOf(inTrace, 'model-registry', SPAN_KIND.server, GET_VERSION).length === spansOf(inTrace, 'inference', SPAN_KIND.client, GET_VERSION).length;
        return complete ? inTrace : undefined;
      },
      { timeoutMs: 30_000, description: 'the inference, feature store and registry spans of the Predict trace' },
    );
    const byId = new Map(trace.map((span) => [span.spanId, span]));
    const parentOf = (span: ExportedSpan | undefined) => byId.get(span?.parentSpanId ?? '');
    const find = (service: ServiceName, kind: number, name: string) => {
      const found = trace.find((span) => span.service === service && span.kind === kind && span.name === name);
      expect(found, `${service} ${name}`).toBeDefined();
      return found as ExportedSpan;
    };

    const predictServer = find('inference', SPAN_KIND.server, 'kuroshio.inference.v1.InferenceService/Predict');
    expect(predictServer.parentSpanId).toBe(callerSpanId);
    expect(predictServer.attributes).toMatchObject({ 'rpc.system': 'grpc', 'rpc.service': 'kuroshio.inference.v1.InferenceService', 'rpc.method': 'Predict', 'rpc.grpc.status_code': 0 });

    const prediction = find('inference', SPAN_KIND.internal, `predict ${model}`);
    expect(parentOf(prediction)).toBe(predictServer);
    expect(prediction.attributes).toMatchObject({ 'kuroshio.model.name': model, 'kuroshio.model.alias': 'champion', 'kuroshio.model.version': 1, 'kuroshio.prediction.rows': 1 });

    const featuresClient = find('inference', SPAN_KIND.client, 'kuroshio.features.v1.FeatureService/GetOnlineFeatures');
    expect(parentOf(featuresClient)).toBe(prediction);
    expect(featuresClient.attributes['rpc.grpc.status_code']).toBe(0);
    const featuresServer = find('feature-store', SPAN_KIND.server, 'kuroshio.features.v1.FeatureService/GetOnlineFeatures');
    expect(parentOf(featuresServer)).toBe(featuresClient);
    expect(featuresServer.attributes['rpc.grpc.status_code']).toBe(0);

    // The registry is asked while the prediction waits: for the champion's challenger (challenger
    // routing; this model has none, so NOT_FOUND once) and for the cold load (champion → its version
    // → the version's artifacts).
    const registryClients = spansOf(trace, 'inference', SPAN_KIND.client, GET_VERSION);
    expect(registryClients.length).toBeGreaterThan(1);
    for (const call of registryClients) expect(parentOf(call)).toBe(prediction);
    const registryServers = spansOf(trace, 'model-registry', SPAN_KIND.server, GET_VERSION);
    expect(registryServers.map((span) => span.parentSpanId).sort()).toEqual(registryClients.map((span) => span.spanId).sort());
    const NOT_FOUND = 5;
    expect(registryServers.map((span) => span.attributes['rpc.grpc.status_code']).sort()).toEqual([...registryServers.slice(1).map(() => 0), NOT_FOUND]);
  });
});
