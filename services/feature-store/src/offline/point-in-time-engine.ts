import type { ClickHouseClient } from '@kuroshio/clickhouse';
import type { FeatureView } from '../views/feature-view.js';
import { finishFeatureValue, type FeatureScalar, type FeatureValue } from '../views/feature-value.js';
import type { ResolvedFeature } from '../views/feature-view-registry.js';
import type { LabelRowSet } from './label-rows.js';
import { pointInTimeSql, type LabelRowRange, type PointInTimeRow } from './point-in-time-sql.js';

/** Where the offline values come from: the ClickHouse events table (a test or benchmark names its own). */
export interface OfflineSource {
  readonly clickhouse: ClickHouseClient;
  readonly eventsTable: string;
}

/** The events a point-in-time query reads: the warehouse table (with FINAL) or an export's snapshot. */
export interface EventsRead {
  readonly table: string;
  readonly final: boolean;
}

/** The aggregates of one feature for the rows of a chunk, indexed by `row_id - range.from`. */
export interface FeatureAggregates {
  readonly count: Uint32Array;
  readonly lastMs: Float64Array;
  readonly value: Array<FeatureScalar | null>;
}

/** Splits row ids into ranges of at most `chunkRows`, each with its label-time bounds. */
export function chunkRanges(rows: LabelRowSet, chunkRows: number): LabelRowRange[] {
  const ranges: LabelRowRange[] = [];
  for (let from = 0; from < rows.length; from += chunkRows) {
    const to = Math.min(rows.length, from + chunkRows);
    let minLabelTimeMs = Number.POSITIVE_INFINITY;
    let maxLabelTimeMs = Number.NEGATIVE_INFINITY;
    for (let row = from; row < to; row++) {
      const time = rows.labelTimesMs[row] as number;
      if (time < minLabelTimeMs) minLabelTimeMs = time;
      if (time > maxLabelTimeMs) maxLabelTimeMs = time;
    }
    ranges.push({ from, to, minLabelTimeMs, maxLabelTimeMs });
  }
  return ranges;
}

function groupByView(features: readonly ResolvedFeature[]): Array<{ view: FeatureView; positions: number[] }> {
  const groups = new Map<string, { view: FeatureView; positions: number[] }>();
  features.forEach((resolved, position) => {
    const key = `${resolved.view.name}@${resolved.view.version}`;
    const group = groups.get(key) ?? { view: resolved.view, positions: [] };
    group.positions.push(position);
    groups.set(key, group);
  });
  return [...groups.values()];
}

/**
 * Aggregates every requested feature for the label rows of one range: one ClickHouse query per
 * feature view, run one after another (ClickHouse parallelises each query itself). Rows whose entity
 * has no event of a view keep count 0, i.e. no value.
 */
export async function aggregateRange(
  clickhouse: ClickHouseClient,
  events: EventsRead,
  labelsTable: string,
  range: LabelRowRange,
  features: readonly ResolvedFeature[],
): Promise<FeatureAggregates[]> {
  const size = range.to - range.from;
  const result: FeatureAggregates[] = features.map(() => ({
    count: new Uint32Array(size),
    lastMs: new Float64Array(size),
    value: new Array<FeatureScalar | null>(size).fill(null),
  }));
  for (const { view, positions } of groupByView(features)) {
    const definitions = positions.map((position) => (features[position] as ResolvedFeature).feature);
    const plan = pointInTimeSql({ eventsTable: events.table, final: events.final, labelsTable, view, features: definitions, rows: range });
    const rows = await clickhouse.query<PointInTimeRow>(plan.sql);
    positions.forEach((position, index) => {
      const columns = plan.columns[index] as (typeof plan.columns)[number];
      const target = result[position] as FeatureAggregates;
      for (const row of rows) {
        const at = Number(row.row_id) - range.from;
        const count = row[columns.count] as number;
        target.count[at] = count;
        target.lastMs[at] = Number(row[columns.lastMs]);
        if (columns.value !== undefined) {
          const value = row[columns.value] ?? null;
          target.value[at] = columns.divideByCount && typeof value === 'number' ? (count === 0 ? null : value / count) : value;
        }
      }
    });
  }
  return result;
}

/** The finished value of one row of one feature (see FeatureDefinition for the rules). */
export function featureValueAt(resolved: ResolvedFeature, aggregates: FeatureAggregates, index: number, asOfMs: number): FeatureValue {
  return finishFeatureValue(resolved.feature, resolved.view.ttlMs, asOfMs, {
    count: aggregates.count[index] as number,
    lastMs: aggregates.lastMs[index] as number,
    value: aggregates.value[index] ?? null,
  });
}
