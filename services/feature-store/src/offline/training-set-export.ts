import type { ObjectStore } from '@kuroshio/object-store';
import { featureColumn } from '../views/feature-view.js';
import { finishedScalar, type FeatureScalar } from '../views/feature-value.js';
import type { ResolvedFeature } from '../views/feature-view-registry.js';
import type { EventLabelWindow } from './event-label.js';
import type { LabelRowsAccess } from './label-rows-object.js';
import { readLabelRows, type LabelSpec } from './label-source.js';
import { labelRowSet, type TimeRangeMs } from './label-rows.js';
import { createEventSnapshot } from './event-snapshot.js';
import { createLabelTable, dropLabelTable, labelTableName } from './label-table.js';
import { aggregateRange, chunkRanges, type OfflineSource } from './point-in-time-engine.js';
import { dataObjectKey, manifestObjectKey, sha256Hex, withContentHash, type TrainingSetManifest } from './training-set-manifest.js';
import { TrainingSetParquetWriter, type FeatureColumnSpec } from './training-set-parquet.js';

export interface TrainingSetRequest {
  readonly exportId: string;
  readonly features: readonly ResolvedFeature[];
  readonly labels: LabelSpec;
  readonly timeRange?: TimeRangeMs;
  readonly createdAt: Date;
  /** requestHashOf the above, recorded in the manifest so that a reused request id is recognised after a restart. */
  readonly requestHash?: string;
}

export interface TrainingSetExportDeps {
  readonly source: OfflineSource;
  readonly store: ObjectStore;
  /** The lake bucket. */
  readonly bucket: string;
  /** Where `rows_uri` label rows may be read from, and how large they may be. */
  readonly labelRows: LabelRowsAccess;
  /** Label rows per point-in-time query (bounds memory in ClickHouse and here). */
  readonly chunkRows: number;
  readonly now: () => number;
  /** Stops the export between chunks (service shutdown). */
  readonly signal?: AbortSignal;
}

/** Where the time of an export went (logged, and read by the benchmark). */
export interface ExportTimings {
  /** Reading (or computing) the label rows and sorting them. */
  readonly labelsMs: number;
  /** Uploading them to the per-export ClickHouse table and taking the events snapshot. */
  readonly uploadMs: number;
  /** The point-in-time queries. */
  readonly queryMs: number;
  /** TTL rules, Parquet encoding. */
  readonly encodeMs: number;
  /** Hashing and writing data and manifest to S3. */
  readonly storeMs: number;
}

function columnSpecs(features: readonly ResolvedFeature[]): FeatureColumnSpec[] {
  return features.map(({ ref, feature }) => ({ name: featureColumn(ref), kind: feature.valueType === 'string' ? 'string' : 'double' }));
}

function eventLabelWindow(range: TimeRangeMs | undefined, nowMs: number): EventLabelWindow | undefined {
  if (range?.startMs === undefined) return undefined;
  const endMs = range.endMs ?? nowMs;
  return { startMs: range.startMs, endMs, cutoffMs: Math.min(endMs, nowMs) };
}

/**
 * Computes a point-in-time correct training set in ClickHouse and writes it to the lake as
 * `training-sets/<id>/data.parquet` and then `manifest.json` (the manifest last: its presence means
 * the export is complete). Label rows go to a per-export ClickHouse table that is dropped afterwards.
 */
export async function exportTrainingSet(deps: TrainingSetExportDeps, request: TrainingSetRequest): Promise<{ manifest: TrainingSetManifest; timings: ExportTimings }> {
  let mark = performance.now();
  const lap = () => {
    const now = performance.now();
    const elapsed = now - mark;
    mark = now;
    return elapsed;
  };
  const nowMs = deps.now();
  // An open end means "until now": fixed here, so the manifest says which instant the set stops at.
  const range: TimeRangeMs | undefined = request.timeRange === undefined ? undefined : { ...request.timeRange, endMs: request.timeRange.endMs ?? nowMs };
  const read = await readLabelRows(request.labels, deps, eventLabelWindow(request.timeRange, nowMs));
  const rows = labelRowSet(read.rows, range);
  const labelsMs = lap();

  const columns = columnSpecs(request.features);
  const writer = new TrainingSetParquetWriter(columns, { 'kuroshio.export_id': request.exportId });
  const table = labelTableName(request.exportId);
  const snapshot = `${table}_events`;
  const clickhouse = deps.source.clickhouse;
  let queryMs = 0;
  let uploadMs = 0;
  try {
    await createLabelTable(clickhouse, table, rows);
    if (rows.length > 0) {
      let minMs = Number.POSITIVE_INFINITY;
      let maxMs = Number.NEGATIVE_INFINITY;
      for (const time of rows.labelTimesMs) {
        if (time < minMs) minMs = time;
        if (time > maxMs) maxMs = time;
      }
      const longestWindowMs = Math.max(...request.features.map(({ feature }) => feature.windowMs));
      const sourceEvents = [...new Set(request.features.flatMap(({ view }) => view.sourceEvents))];
      await createEventSnapshot(clickhouse, { snapshotTable: snapshot, eventsTable: deps.source.eventsTable, labelsTable: table, sourceEvents, fromMs: minMs - longestWindowMs, toMs: maxMs });
    }
    uploadMs = lap();
    for (const chunk of chunkRanges(rows, deps.chunkRows)) {
      deps.signal?.throwIfAborted();
      const queryStarted = performance.now();
      const aggregates = await aggregateRange(clickhouse, { table: snapshot, final: false }, table, chunk, request.features);
      queryMs += performance.now() - queryStarted;
      const size = chunk.to - chunk.from;
      const features = request.features.map((resolved, position) => {
        const values = new Array<FeatureScalar | null>(size);
        const { count, lastMs, value } = aggregates[position] as (typeof aggregates)[number];
        const ttlMs = resolved.view.ttlMs;
        for (let index = 0; index < size; index++) {
          const asOfMs = rows.labelTimesMs[chunk.from + index] as number;
          values[index] = finishedScalar(resolved.feature, ttlMs, asOfMs, count[index] as number, lastMs[index] as number, value[index] ?? null);
        }
        return values;
      });
      writer.writeChunk({
        entityIds: rows.entityIds.slice(chunk.from, chunk.to),
        labelTimesMs: rows.labelTimesMs.subarray(chunk.from, chunk.to),
        labels: rows.labels.subarray(chunk.from, chunk.to),
        features,
      });
    }
  } finally {
    await dropLabelTable(clickhouse, snapshot);
    await dropLabelTable(clickhouse, table);
  }
  const data = writer.finish();
  const encodeMs = lap() - queryMs;
  const dataSha256 = sha256Hex(data);
  await deps.store.put(deps.bucket, dataObjectKey(request.exportId), data, { contentType: 'application/vnd.apache.parquet' });
  let positiveCount = 0;
  for (const label of rows.labels) if (label > 0) positiveCount += 1;
  const views = new Map(request.features.map(({ view }) => [`${view.name}@${view.version}`, { name: view.name, version: view.version }]));
  const manifest = withContentHash({
    exportId: request.exportId,
    createdAt: request.createdAt.toISOString(),
    featureViews: [...views.values()],
    features: request.features.map(({ ref, feature }) => ({
      featureView: ref.featureView,
      feature: ref.feature,
      version: ref.version,
      column: featureColumn(ref),
      valueType: feature.valueType,
    })),
    label: read.description,
    timeRange:
      range === undefined
        ? null
        : { start: range.startMs === undefined ? null : new Date(range.startMs).toISOString(), end: range.endMs === undefined ? null : new Date(range.endMs).toISOString() },
    rowCount: rows.length,
    positiveCount,
    dataObject: dataObjectKey(request.exportId),
    dataSha256,
    ...(request.requestHash === undefined ? {} : { requestHash: request.requestHash }),
  });
  await deps.store.put(deps.bucket, manifestObjectKey(request.exportId), `${JSON.stringify(manifest, null, 2)}\n`, { contentType: 'application/json' });
  return { manifest, timings: { labelsMs, uploadMs, queryMs, encodeMs, storeMs: lap() } };
}
