import { parquetMetadata, parquetReadObjects } from 'hyparquet';

/** A training set in memory, column by column; numeric columns are NaN where the value is null. */
export interface TrainingSetTable {
  readonly rowCount: number;
  readonly entityIds: readonly string[];
  readonly labelTimesMs: Float64Array;
  readonly labels: Float64Array;
  readonly numeric: ReadonlyMap<string, Float64Array>;
  readonly text: ReadonlyMap<string, ReadonlyArray<string | null>>;
}

export interface ColumnRequest {
  readonly numeric: readonly string[];
  readonly text: readonly string[];
}

/** Reads the contract's columns (entity_id, label_time_ms, label) plus the requested feature columns. */
export async function readTrainingSetTable(bytes: Uint8Array, columns: ColumnRequest): Promise<TrainingSetTable> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const present = new Set(parquetMetadata(file).schema.map((element) => element.name));
  const missing = ['entity_id', 'label_time_ms', 'label', ...columns.numeric, ...columns.text].filter((name) => !present.has(name));
  if (missing.length > 0) throw new Error(`training set lacks column(s) ${missing.join(', ')}`);
  const rows = await parquetReadObjects({ file, columns: ['entity_id', 'label_time_ms', 'label', ...columns.numeric, ...columns.text] });
  const n = rows.length;
  const labelTimesMs = new Float64Array(n);
  const labels = new Float64Array(n);
  const entityIds: string[] = new Array<string>(n);
  const numeric = new Map(columns.numeric.map((name) => [name, new Float64Array(n)]));
  const text = new Map(columns.text.map((name) => [name, new Array<string | null>(n)]));
  for (let i = 0; i < n; i++) {
    const row = rows[i] as Record<string, unknown>;
    entityIds[i] = String(row['entity_id']);
    labelTimesMs[i] = toNumber(row['label_time_ms']);
    labels[i] = toNumber(row['label']);
    for (const [name, values] of numeric) values[i] = toNumber(row[name]);
    for (const [name, values] of text) {
      const value = row[name];
      values[i] = value === null || value === undefined ? null : String(value);
    }
  }
  return { rowCount: n, entityIds, labelTimesMs, labels, numeric, text };
}

function toNumber(value: unknown): number {
  if (value === null || value === undefined) return Number.NaN;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  const number = Number(value);
  return Number.isFinite(number) ? number : Number.NaN;
}
