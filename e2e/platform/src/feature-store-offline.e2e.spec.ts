import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import { grpcJs } from '@kuroshio/contracts';
import { stackEndpoints, uniqueName, waitFor } from '@kuroshio/testing';
import { parquetReadObjects } from 'hyparquet';
import { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase, warehouseCommand } from './ingest-warehouse.js';
import { startService, waitForHttp, type ServiceProcess } from './service-process.js';

// The feature store as a process on its own ports, over a database of its own: the registry from the
// repository's YAML, and a training-set export through gRPC, read back from S3 as the trainer would.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const HTTP_PORT = 17_213;
const GRPC_PORT = 17_313;
const database = uniqueName('e2e_fs_offline', '_');
const group = uniqueName('e2e-fs-offline');
const s3 = stackEndpoints().s3;
const minio = new Client({
  endPoint: new URL(s3.endpoint).hostname,
  port: Number(new URL(s3.endpoint).port),
  useSSL: false,
  accessKey: s3.accessKey,
  secretKey: s3.secretKey.reveal(),
  region: s3.region,
  pathStyle: true,
});
const exportIds: string[] = [];
let service: ServiceProcess;
let client: grpcJs.features.v1.FeatureServiceClient;

const T = Date.parse('2026-10-20T00:00:00.000Z');
const DAY_MS = 86_400_000;
const env = { CLICKHOUSE_DATABASE: database, HTTP_PORT: String(HTTP_PORT), GRPC_PORT: String(GRPC_PORT), FEATURE_STORE_ONLINE_GROUP: group };

/** A unary call as a promise: `rpc<Res>((done) => client.method(request, done))`. */
function rpc<Res>(invoke: (done: (error: ServiceError | null, response: Res) => void) => unknown): Promise<Res> {
  return new Promise((resolve, reject) => invoke((error, response) => (error ? reject(error) : resolve(response))));
}

function event(messageId: string, customer: string, timeMs: number, name: string, properties: Record<string, unknown>) {
  const time = new Date(timeMs).toISOString().slice(0, 19).replace('T', ' ');
  return JSON.stringify({
    message_id: messageId, tenant: 'e2e', source: 'e2e', channel: 'app', type: 'track', event: name, customer_id: customer, user_id: customer, anonymous_id: '',
    event_time: time, event_time_ms: timeMs, received_at: time, properties: JSON.stringify(properties), context: '{}', traits: '{}', schema_version: 1,
  });
}

async function startFeatureStore(): Promise<ServiceProcess> {
  const running = startService('feature-store', env);
  await waitForHttp(`http://127.0.0.1:${HTTP_PORT}/healthz`, running);
  return running;
}

async function objectBytes(key: string): Promise<Buffer> {
  return buffer(await minio.getObject(s3.buckets.lake, key));
}

beforeAll(async () => {
  await promisify(execFile)(process.execPath, ['libs/clickhouse/dist/cli/migrate.js'], { cwd: repoRoot, env: { ...process.env, CLICKHOUSE_DATABASE: database } });
  const rows = [
    event('e1', 'cust-1', T - 3 * DAY_MS, 'Carrier Billing Charge', { chargeId: 'c1', amount: 120, currency: 'TWD', merchant: 'Google Play', dueDate: '2026-11-20' }),
    event('e2', 'cust-1', T - DAY_MS, 'Carrier Billing Charge', { chargeId: 'c2', amount: 80, currency: 'TWD', merchant: 'KKBOX', dueDate: '2026-11-20' }),
    // Planted at the label instant: must not be in the row observed at T.
    event('e3', 'cust-1', T, 'Carrier Billing Charge', { chargeId: 'c3', amount: 5000, currency: 'TWD', merchant: 'LEAK', dueDate: '2026-11-20' }),
    event('e4', 'cust-2', T - 2 * DAY_MS, 'LINE Message Received', { lineEventType: 'message', messageType: 'text', text: '帳單可以延後繳嗎' }),
  ];
  await warehouseCommand(database, `INSERT INTO events FORMAT JSONEachRow\n${rows.join('\n')}`);
  service = await startFeatureStore();
  client = new grpcJs.features.v1.FeatureServiceClient(`127.0.0.1:${GRPC_PORT}`, credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  if (service) expect(await service.stop()).toBe(0);
  await dropDatabase(database).catch(() => undefined);
  for (const id of exportIds) {
    for (const name of ['data.parquet', 'manifest.json']) await minio.removeObject(s3.buckets.lake, `training-sets/${id}/${name}`).catch(() => undefined);
  }
});

describe('feature store offline side over gRPC', () => {
  it('lists the repository feature views and describes one version', async () => {
    const page = await rpc<grpcJs.features.v1.ListFeatureViewsResponse>((done) => client.listFeatureViews(grpcJs.features.v1.ListFeatureViewsRequest.fromPartial({ entity: 'customer', pageSize: 100 }), done));
    expect(page.featureViews.map((view) => view.name)).toEqual(expect.arrayContaining(['carrier_billing_charges', 'carrier_billing_payments', 'line_message_text']));
    const v1 = await rpc<grpcJs.features.v1.GetFeatureViewResponse>((done) => client.getFeatureView(grpcJs.features.v1.GetFeatureViewRequest.fromPartial({ name: 'carrier_billing_charges', version: 1 }), done));
    expect(v1.featureView).toMatchObject({ name: 'carrier_billing_charges', version: 1, entity: 'customer', ttl: { seconds: 180 * 86_400 } });
    await expect(rpc<grpcJs.features.v1.GetFeatureViewResponse>((done) => client.getFeatureView(grpcJs.features.v1.GetFeatureViewRequest.fromPartial({ name: 'carrier_billing_charges', version: 99 }), done))).rejects.toMatchObject({ code: 5 });
  });

  it('exports a point-in-time training set to S3 as a job, and finds it again after a restart', async () => {
    const request = grpcJs.features.v1.ExportTrainingSetRequest.fromPartial({
      features: [
        { featureView: 'carrier_billing_charges', feature: 'charge_count_7d' },
        { featureView: 'carrier_billing_charges', feature: 'charge_amount_sum_30d', version: 2 },
        { featureView: 'line_message_text', feature: 'last_text_30d' },
      ],
      labels: {
        rows: {
          rows: [
            { entityId: 'cust-2', timestamp: { seconds: T / 1000, nanos: 0 }, label: 0 },
            { entityId: 'cust-1', timestamp: { seconds: T / 1000, nanos: 0 }, label: 1 },
          ],
        },
      },
      requestId: uniqueName('e2e-export'),
    });
    const started = await rpc<grpcJs.features.v1.ExportTrainingSetResponse>((done) => client.exportTrainingSet(request, done));
    const exportId = started.export!.exportId;
    exportIds.push(exportId);
    expect(started.export!.features.map((ref) => ref.version)).toEqual([2, 2, 1]);
    expect(['EXPORT_STATE_PENDING', 'EXPORT_STATE_RUNNING', 'EXPORT_STATE_SUCCEEDED']).toContain(started.export!.state);

    const done = await waitFor(
      async () => {
        const { export: current } = await rpc<grpcJs.features.v1.GetTrainingSetExportResponse>((done) => client.getTrainingSetExport({ exportId }, done));
        if (current!.state === 'EXPORT_STATE_FAILED') throw new Error(current!.errorMessage);
        return current!.state === 'EXPORT_STATE_SUCCEEDED' ? current! : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(done).toMatchObject({ rowCount: 2, positiveCount: 1, dataUri: `s3://${s3.buckets.lake}/training-sets/${exportId}/data.parquet` });

    const manifest = JSON.parse((await objectBytes(`training-sets/${exportId}/manifest.json`)).toString('utf8'));
    const data = await objectBytes(`training-sets/${exportId}/data.parquet`);
    expect(createHash('sha256').update(data).digest('hex')).toBe(manifest.dataSha256);
    expect(manifest.contentHash).toBe(done.contentHash);
    const rows = await parquetReadObjects({ file: new Uint8Array(data).buffer });
    expect(rows).toEqual([
      { entity_id: 'cust-1', label_time_ms: BigInt(T), label: 1, carrier_billing_charges__charge_count_7d: 2, carrier_billing_charges__charge_amount_sum_30d: 200, line_message_text__last_text_30d: null },
      { entity_id: 'cust-2', label_time_ms: BigInt(T), label: 0, carrier_billing_charges__charge_count_7d: null, carrier_billing_charges__charge_amount_sum_30d: null, line_message_text__last_text_30d: '帳單可以延後繳嗎' },
    ]);

    // The same request id is the same export; after a restart the export is read from its manifest.
    expect((await rpc<grpcJs.features.v1.ExportTrainingSetResponse>((done) => client.exportTrainingSet(request, done))).export!.exportId).toBe(exportId);
    expect(await service.stop()).toBe(0);
    service = await startFeatureStore();
    const again = await waitFor(async () => (await rpc<grpcJs.features.v1.GetTrainingSetExportResponse>((done) => client.getTrainingSetExport({ exportId }, done)).catch(() => undefined))?.export, { timeoutMs: 30_000, intervalMs: 250 });
    expect(again).toMatchObject({ exportId, state: 'EXPORT_STATE_SUCCEEDED', contentHash: done.contentHash, rowCount: 2 });
  });

  it('refuses a request it cannot run with INVALID_ARGUMENT or NOT_FOUND', async () => {
    const noLabels = grpcJs.features.v1.ExportTrainingSetRequest.fromPartial({ features: [{ featureView: 'carrier_billing_charges', feature: 'charge_count_7d' }] });
    await expect(rpc<grpcJs.features.v1.ExportTrainingSetResponse>((done) => client.exportTrainingSet(noLabels, done))).rejects.toMatchObject({ code: 3 });
    const unknown = grpcJs.features.v1.ExportTrainingSetRequest.fromPartial({ features: [{ featureView: 'carrier_billing_charges', feature: 'nope' }], labels: { rowsUri: 's3://kuroshio-lake/x.ndjson' } });
    await expect(rpc<grpcJs.features.v1.ExportTrainingSetResponse>((done) => client.exportTrainingSet(unknown, done))).rejects.toMatchObject({ code: 5 });
  });
});
