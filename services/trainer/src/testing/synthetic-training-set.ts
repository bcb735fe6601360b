import { createHash } from 'node:crypto';
import type { ObjectStore } from '@kuroshio/object-store';
import { parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';
import { seededRandom } from '../dataset/seeded-random.js';
import { manifestContentHash } from '../training-set/manifest-content-hash.js';
import type { TrainingSetManifest } from '../training-set/training-set-manifest.js';

export interface SyntheticOptions {
  readonly exportId: string;
  readonly rows: number;
  readonly features: number;
  readonly seed: number;
  /** Intercept of the logistic ground truth; about −2.6 gives ~10 % positives with 20 features. */
  readonly intercept?: number;
  /** Share of numeric values left null. */
  readonly missingRate?: number;
  /** Adds a Traditional Chinese message column that carries the label. */
  readonly withText?: boolean;
  readonly startMs?: number;
  /** The manifest's label description (default: a marker naming the seed). */
  readonly label?: unknown;
}

export interface SyntheticTrainingSet {
  readonly manifest: TrainingSetManifest;
  readonly data: Uint8Array;
  /** The ground-truth coefficients (feature j of view `synthetic`, column `synthetic__f<j>`). */
  readonly coefficients: readonly number[];
}

const VIEW = 'synthetic';
const POSITIVE_MESSAGES = ['帳單逾期了，可以延後繳費嗎', '這個月沒辦法繳清，想申請分期', '請問遲繳會有違約金嗎', '我失業了，電信費付不出來'];
const NEGATIVE_MESSAGES = ['請問門市營業時間', '我想升級到五百九十九的方案', '網路速度很快，謝謝', '如何設定語音信箱'];

/**
 * A training set in the feature store's export format (the training-set contract): a Parquet of
 * entity_id, label_time_ms, label and `synthetic__f<j>` doubles drawn from a logistic ground truth,
 * sorted by (entity_id, label_time_ms), with its manifest.
 */
export function syntheticTrainingSet(options: SyntheticOptions): SyntheticTrainingSet {
  const random = seededRandom(options.seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const coefficients = Array.from({ length: options.features }, (_, j) => (j % 3 === 2 ? 0 : (j % 2 === 0 ? 1 : -1) * (0.3 + 0.7 * random())));
  const startMs = options.startMs ?? Date.UTC(2026, 0, 1);
  const rows = Array.from({ length: options.rows }, (_, i) => {
    const x = coefficients.map(() => gaussian());
    const logit = (options.intercept ?? -2.6) + x.reduce((sum, value, j) => sum + value * (coefficients[j] as number), 0);
    const label = random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    const messages = label === 1 && random() < 0.8 ? POSITIVE_MESSAGES : NEGATIVE_MESSAGES;
    return {
      entityId: `cust-${(i % Math.max(1, Math.floor(options.rows / 3))).toString().padStart(6, '0')}`,
      labelTimeMs: startMs + Math.floor(random() * 180 * 86_400_000),
      label,
      x: x.map((value) => (random() < (options.missingRate ?? 0) ? null : value)),
      text: messages[Math.floor(random() * messages.length)] as string,
    };
  });
  rows.sort((a, b) => (a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : a.labelTimeMs - b.labelTimeMs));
  const columns: ColumnSource[] = [
    { name: 'entity_id', type: 'STRING', data: rows.map((r) => r.entityId) },
    { name: 'label_time_ms', type: 'INT64', data: rows.map((r) => BigInt(r.labelTimeMs)) },
    { name: 'label', type: 'DOUBLE', data: rows.map((r) => r.label) },
    ...coefficients.map((_, j): ColumnSource => ({ name: `${VIEW}__f${j}`, type: 'DOUBLE', data: rows.map((r) => r.x[j] ?? null) })),
    ...(options.withText === true ? [{ name: `${VIEW}__last_message`, type: 'STRING' as const, data: rows.map((r) => r.text) }] : []),
  ];
  const data = new Uint8Array(parquetWriteBuffer({ columnData: columns }));
  const dataSha256 = createHash('sha256').update(data).digest('hex');
  const features = [
    ...coefficients.map((_, j) => ({ featureView: VIEW, feature: `f${j}`, version: 1, column: `${VIEW}__f${j}`, valueType: 'double' })),
    ...(options.withText === true ? [{ featureView: VIEW, feature: 'last_message', version: 1, column: `${VIEW}__last_message`, valueType: 'string' }] : []),
  ];
  const described = {
    exportId: options.exportId,
    featureViews: [{ name: VIEW, version: 1 }],
    features,
    label: options.label ?? { synthetic: { seed: options.seed } },
    timeRange: null,
    rowCount: rows.length,
    positiveCount: rows.filter((r) => r.label === 1).length,
    dataObject: `training-sets/${options.exportId}/data.parquet`,
    dataSha256,
  };
  return { manifest: { ...described, createdAt: new Date().toISOString(), contentHash: manifestContentHash(described) }, data, coefficients };
}

/** Stores the set where the feature store would: `training-sets/<exportId>/` in the lake bucket. */
export async function putTrainingSet(store: ObjectStore, lakeBucket: string, set: SyntheticTrainingSet): Promise<string> {
  await store.put(lakeBucket, set.manifest.dataObject, set.data, { contentType: 'application/vnd.apache.parquet' });
  const manifestKey = `training-sets/${set.manifest.exportId}/manifest.json`;
  await store.put(lakeBucket, manifestKey, JSON.stringify(set.manifest), { contentType: 'application/json' });
  return `s3://${lakeBucket}/${manifestKey}`;
}
