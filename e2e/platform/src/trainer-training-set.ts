import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { stackEndpoints } from '@kuroshio/testing';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { Client } from 'minio';

export interface StoredTrainingSet {
  readonly exportId: string;
  readonly contentHash: string;
  readonly manifestUri: string;
}

/**
 * Writes a small training set where the feature store would (the training-set export contract):
 * `training-sets/<id>/data.parquet` with entity_id, label_time_ms, label and two `e2e__x<j>` doubles
 * whose logistic combination drives the label, plus its manifest.
 */
export async function storeTrainingSet(exportId: string, rows = 800): Promise<StoredTrainingSet> {
  let state = 12345;
  const random = () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 4_294_967_296;
  };
  const data = Array.from({ length: rows }, (_, i) => {
    const x0 = random() * 4 - 2;
    const x1 = random() * 4 - 2;
    const label = random() < 1 / (1 + Math.exp(-(2 * x0 - 1.5 * x1 - 1))) ? 1 : 0;
    return { entity: `e2e-${String(i).padStart(5, '0')}`, time: Date.UTC(2026, 0, 1) + Math.floor(random() * 90) * 86_400_000, label, x0, x1 };
  });
  const parquet = Buffer.from(
    parquetWriteBuffer({
      columnData: [
        { name: 'entity_id', type: 'STRING', data: data.map((r) => r.entity) },
        { name: 'label_time_ms', type: 'INT64', data: data.map((r) => BigInt(r.time)) },
        { name: 'label', type: 'DOUBLE', data: data.map((r) => r.label) },
        { name: 'e2e__x0', type: 'DOUBLE', data: data.map((r) => r.x0) },
        { name: 'e2e__x1', type: 'DOUBLE', data: data.map((r) => r.x1) },
      ],
    }),
  );
  const dataSha256 = createHash('sha256').update(parquet).digest('hex');
  const described = {
    exportId,
    featureViews: [{ name: 'e2e', version: 1 }],
    features: [0, 1].map((j) => ({ featureView: 'e2e', feature: `x${j}`, version: 1, column: `e2e__x${j}`, valueType: 'double' })),
    label: { e2e: true },
    timeRange: null,
    rowCount: rows,
    positiveCount: data.filter((r) => r.label === 1).length,
    dataObject: `training-sets/${exportId}/data.parquet`,
    dataSha256,
  };
  // As the feature store writes it (ADR 0014): SHA-256 of the RFC 8785 canonical JSON without createdAt and contentHash.
  const contentHash = createHash('sha256').update(canonicalize(described) ?? '').digest('hex');
  const { endpoint, accessKey, secretKey, region, buckets } = stackEndpoints().s3;
  const url = new URL(endpoint);
  const minio = new Client({ endPoint: url.hostname, port: Number(url.port), useSSL: false, accessKey, secretKey: secretKey.reveal(), region, pathStyle: true });
  await minio.putObject(buckets.lake, described.dataObject, parquet, parquet.length);
  const manifest = Buffer.from(JSON.stringify({ ...described, createdAt: new Date().toISOString(), contentHash }));
  const manifestKey = `training-sets/${exportId}/manifest.json`;
  await minio.putObject(buckets.lake, manifestKey, manifest, manifest.length);
  return { exportId, contentHash, manifestUri: `s3://${buckets.lake}/${manifestKey}` };
}
