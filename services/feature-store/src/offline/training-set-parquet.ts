import { ByteWriter, ParquetWriter, schemaFromColumnData, type ColumnSource } from 'hyparquet-writer';
import type { FeatureScalar } from '../views/feature-value.js';

/** A feature column of a training set: DOUBLE for numeric features, STRING for text (the export contract). */
export interface FeatureColumnSpec {
  readonly name: string;
  readonly kind: 'double' | 'string';
}

/** The rows of one chunk, in training-set order. */
export interface TrainingSetChunk {
  readonly entityIds: readonly string[];
  readonly labelTimesMs: Float64Array;
  readonly labels: Float64Array;
  /** One array per feature column, in column order; null = no value. */
  readonly features: ReadonlyArray<ReadonlyArray<FeatureScalar | null>>;
}

export const TRAINING_SET_SCHEMA_VERSION = '1';
const ROW_GROUP_ROWS = 100_000;

function fixedColumns(chunk: Pick<TrainingSetChunk, 'entityIds' | 'labelTimesMs' | 'labels'>): ColumnSource[] {
  const times = new BigInt64Array(chunk.labelTimesMs.length);
  chunk.labelTimesMs.forEach((ms, index) => (times[index] = BigInt(ms)));
  return [
    { name: 'entity_id', data: chunk.entityIds as string[], type: 'STRING', nullable: false },
    { name: 'label_time_ms', data: times, type: 'INT64', nullable: false },
    { name: 'label', data: chunk.labels, type: 'DOUBLE', nullable: false },
  ];
}

/**
 * data.parquet of a training-set export, written chunk by chunk (each chunk one or more row groups) so
 * a million rows never sit in memory as objects. Columns: entity_id, label_time_ms, label, then one per
 * feature named `<view>__<feature>` (see the contract in docs/decisions/0014-feature-store-offline.md).
 */
export class TrainingSetParquetWriter {
  readonly #bytes = new ByteWriter();
  readonly #writer: ParquetWriter;
  readonly #columns: readonly FeatureColumnSpec[];

  constructor(columns: readonly FeatureColumnSpec[], metadata: Record<string, string>) {
    this.#columns = columns;
    const template: ColumnSource[] = [
      ...fixedColumns({ entityIds: [], labelTimesMs: new Float64Array(0), labels: new Float64Array(0) }),
      ...columns.map((column) => ({ name: column.name, data: [], type: column.kind === 'double' ? ('DOUBLE' as const) : ('STRING' as const) })),
    ];
    this.#writer = new ParquetWriter({
      writer: this.#bytes,
      schema: schemaFromColumnData({ columnData: template }),
      kvMetadata: [{ key: 'kuroshio.schema', value: 'training-set' }, { key: 'kuroshio.schema_version', value: TRAINING_SET_SCHEMA_VERSION }, ...Object.entries(metadata).map(([key, value]) => ({ key, value }))],
      createdBy: 'kuroshio-feature-store (hyparquet-writer)',
    });
  }

  writeChunk(chunk: TrainingSetChunk): void {
    if (chunk.entityIds.length === 0) return;
    const columnData: ColumnSource[] = [
      ...fixedColumns(chunk),
      ...this.#columns.map((column, index) => ({ name: column.name, data: chunk.features[index] as Array<FeatureScalar | null> })),
    ];
    // Without a writer.flush the ParquetWriter works synchronously.
    void this.#writer.write({ columnData, rowGroupSize: ROW_GROUP_ROWS });
  }

  /** The whole file. */
  finish(): Uint8Array {
    void this.#writer.finish();
    return new Uint8Array(this.#bytes.getBuffer());
  }
}
