import { randomUUID } from 'node:crypto';
import { ident, sql, sourceEventsSql } from '@kuroshio/clickhouse';
import type { FeatureValue } from '../views/feature-value.js';
import type { ResolvedFeature } from '../views/feature-view-registry.js';
import { createLabelTable, dropLabelTable, labelTableName } from './label-table.js';
import type { LabelRowSet } from './label-rows.js';
import { aggregateRange, featureValueAt, type OfflineSource } from './point-in-time-engine.js';

/**
 * Offline values of a few entities at one instant, with their status (present, not found, expired):
 * the training-set computation with one label row per entity, for the parity check.
 * Returns `result[entity][feature]` in the order given.
 */
export async function readOfflineFeatures(source: OfflineSource, features: readonly ResolvedFeature[], entityIds: readonly string[], asOfMs: number): Promise<FeatureValue[][]> {
  if (entityIds.length === 0) return [];
  const rows: LabelRowSet = {
    length: entityIds.length,
    entityIds,
    labelTimesMs: new Float64Array(entityIds.length).fill(asOfMs),
    labels: new Float64Array(entityIds.length),
  };
  const table = labelTableName(`parity${randomUUID()}`);
  await createLabelTable(source.clickhouse, table, rows);
  try {
    const aggregates = await aggregateRange(source.clickhouse, { table: source.eventsTable, final: true }, table, { from: 0, to: rows.length, minLabelTimeMs: asOfMs, maxLabelTimeMs: asOfMs }, features);
    return entityIds.map((_, row) => features.map((resolved, position) => featureValueAt(resolved, aggregates[position] as (typeof aggregates)[number], row, asOfMs)));
  } finally {
    await dropLabelTable(source.clickhouse, table);
  }
}

/** Up to `size` random entities with at least one event of the features' views within their longest window before `asOfMs`. */
export async function sampleActiveEntities(source: OfflineSource, features: readonly ResolvedFeature[], asOfMs: number, size: number): Promise<string[]> {
  const events = [...new Set(features.flatMap(({ view }) => view.sourceEvents))];
  const fromMs = Math.max(0, asOfMs - Math.max(...features.map(({ feature }) => feature.windowMs)));
  const rows = await source.clickhouse.query<{ customer_id: string }>(sql`
    SELECT customer_id FROM (
      SELECT DISTINCT customer_id FROM ${ident(source.eventsTable)}
      WHERE event_time >= ${new Date(fromMs)} AND event_time_ms >= ${fromMs} AND event_time_ms < ${asOfMs} AND ${sourceEventsSql(events)}
    )
    ORDER BY rand() LIMIT ${size}`);
  return rows.map((row) => row.customer_id);
}

/** The parity check's offline side, over the ClickHouse events table. */
export class ClickHouseOfflineFeatureReader {
  constructor(private readonly source: OfflineSource) {}

  read(features: readonly ResolvedFeature[], entityIds: readonly string[], asOfMs: number): Promise<FeatureValue[][]> {
    return readOfflineFeatures(this.source, features, entityIds, asOfMs);
  }

  sample(features: readonly ResolvedFeature[], asOfMs: number, size: number): Promise<string[]> {
    return sampleActiveEntities(this.source, features, asOfMs, size);
  }
}
