import { ident, joinSql, sql, type Sql, existsAt, filtersSql, isNumberAt, isStringAt, numberAt, rawAt, sourceEventsSql, stringAt } from '@kuroshio/clickhouse';
import type { FeatureDefinition, FeatureView } from '../views/feature-view.js';

/**
 * One point-in-time query per feature view and chunk of label rows: the label rows of the chunk are
 * joined to the view's events of the same entity, and every feature is a conditional aggregate over
 * the events with `label_time - window <= event_time < label_time`. An event at or after the label
 * time never contributes (no leakage); ASOF JOIN would do the same but ClickHouse 18.16 lacks it.
 * Replayed events count once: the warehouse table is read with `FINAL` (ReplacingMergeTree on
 * tenant, customer, time and message_id), or an export's snapshot that was taken with FINAL.
 */

export interface LabelRowRange {
  /** First row_id (inclusive). */
  readonly from: number;
  /** Last row_id (exclusive). */
  readonly to: number;
  /** Earliest and latest label time of the rows in the range. */
  readonly minLabelTimeMs: number;
  readonly maxLabelTimeMs: number;
}

export interface PointInTimeQuery {
  readonly eventsTable: string;
  /** Read the events table with FINAL (the warehouse table); false for an export's deduplicated snapshot. */
  readonly final: boolean;
  readonly labelsTable: string;
  readonly view: FeatureView;
  readonly features: readonly FeatureDefinition[];
  readonly rows: LabelRowRange;
}

/**
 * Where a feature's aggregates are in a result row. Features with the same window and property
 * condition share their count and latest-time columns; avg comes back as a sum to divide by the count.
 */
export interface FeatureColumns {
  readonly count: string;
  readonly lastMs: string;
  readonly value: string | undefined;
  readonly divideByCount: boolean;
}

export interface PointInTimePlan {
  readonly sql: Sql;
  /** By position in `features`. */
  readonly columns: readonly FeatureColumns[];
}

/**
 * A result row: counts are JSON numbers, latest times Int64 (which JSON output quotes), values
 * numbers or strings.
 */
export type PointInTimeRow = { row_id: number } & Record<string, number | string | null>;

type PropertyNeed = 'number' | 'string' | 'present' | 'raw';

function needOf(feature: FeatureDefinition): PropertyNeed {
  switch (feature.aggregation) {
    case 'sum':
    case 'avg':
    case 'min':
    case 'max':
      return 'number';
    case 'last_value':
      return feature.valueType === 'string' ? 'string' : 'number';
    case 'distinct_count':
      return 'raw';
    case 'count':
    case 'days_since_last':
      return 'present';
  }
}

/** The events side's property columns: one set per (path, need), shared by the features that use it. */
class PropertyColumns {
  readonly #columns = new Map<string, { name: string; flag: string; value: string | undefined; select: Sql[] }>();

  use(path: string, need: PropertyNeed): { flag: string; value: string | undefined } {
    const key = `${need}:${path}`;
    let column = this.#columns.get(key);
    if (column === undefined) {
      const name = `p${this.#columns.size}`;
      const flag = `${name}_ok`;
      const value = need === 'present' ? undefined : `${name}_v`;
      const flagExpr = need === 'number' ? isNumberAt(path) : need === 'string' ? isStringAt(path) : existsAt(path);
      const select = [sql`${flagExpr} AS ${ident(flag)}`];
      if (value !== undefined) {
        const valueExpr = need === 'number' ? numberAt(path) : need === 'string' ? stringAt(path) : rawAt(path);
        select.push(sql`${valueExpr} AS ${ident(value)}`);
      }
      column = { name, flag, value, select };
      this.#columns.set(key, column);
    }
    return column;
  }

  select(): Sql[] {
    return [...this.#columns.values()].flatMap((column) => column.select);
  }
}

function windowCondition(feature: FeatureDefinition, flag: string | undefined): Sql {
  const inWindow = sql`e_time < l_time AND e_time >= l_time - ${feature.windowMs}`;
  return flag === undefined ? sql`(${inWindow})` : sql`(${inWindow} AND ${ident(flag)})`;
}

function valueAggregate(feature: FeatureDefinition, condition: Sql, value: string | undefined): Sql {
  const v = value === undefined ? sql`0` : ident(value);
  switch (feature.aggregation) {
    case 'sum':
    case 'avg':
      return sql`sumIf(${v}, ${condition})`;
    case 'min':
      return sql`minIf(${v}, ${condition})`;
    case 'max':
      return sql`maxIf(${v}, ${condition})`;
    case 'last_value':
      // Ties on the instant go to the greater message_id, as in views/feature-value.ts.
      return sql`argMaxIf(${v}, tuple(e_time, e_id), ${condition})`;
    case 'distinct_count':
      return sql`toUInt32(uniqExactIf(${v}, ${condition}))`;
    case 'count':
    case 'days_since_last':
      return sql`0`;
  }
}

/** Event-time bounds of the rows, widened by the longest window; as DateTime for partition pruning too. */
function eventTimeBounds(rows: LabelRowRange, longestWindowMs: number): Sql {
  const fromMs = Math.max(0, rows.minLabelTimeMs - longestWindowMs);
  const toMs = Math.max(0, rows.maxLabelTimeMs);
  return sql`event_time >= ${new Date(fromMs)} AND event_time <= ${new Date(toMs)} AND event_time_ms >= ${fromMs} AND event_time_ms < ${toMs}`;
}

function labelRowsIn(query: PointInTimeQuery, columns: Sql): Sql {
  return sql`SELECT ${columns} FROM ${ident(query.labelsTable)} WHERE row_id >= ${query.rows.from} AND row_id < ${query.rows.to}`;
}

export function pointInTimeSql(query: PointInTimeQuery): PointInTimePlan {
  const { view, features } = query;
  if (features.length === 0) throw new Error('pointInTimeSql: no features');
  const properties = new PropertyColumns();
  const aggregates: Sql[] = [];
  const conditions = new Map<string, { count: string; lastMs: string }>();
  const columns = features.map((feature, index): FeatureColumns => {
    const property = feature.property === undefined ? undefined : properties.use(feature.property, needOf(feature));
    const condition = windowCondition(feature, property?.flag);
    const key = `${feature.windowMs}:${property?.flag ?? ''}`;
    let shared = conditions.get(key);
    if (shared === undefined) {
      shared = { count: `c${conditions.size}_n`, lastMs: `c${conditions.size}_last` };
      conditions.set(key, shared);
      aggregates.push(sql`toUInt32(countIf(${condition})) AS ${ident(shared.count)}`, sql`maxIf(e_time, ${condition}) AS ${ident(shared.lastMs)}`);
    }
    const needsValue = feature.aggregation !== 'count' && feature.aggregation !== 'days_since_last';
    const value = needsValue ? `f${index}_v` : undefined;
    if (value !== undefined) aggregates.push(sql`${valueAggregate(feature, condition, property?.value)} AS ${ident(value)}`);
    return { ...shared, value, divideByCount: feature.aggregation === 'avg' };
  });
  const longestWindowMs = Math.max(...features.map((feature) => feature.windowMs));
  const eventColumns = [sql`customer_id AS e_entity`, sql`toInt64(event_time_ms) AS e_time`, sql`message_id AS e_id`, ...properties.select()];
  const text = sql`
SELECT l_row AS row_id, ${joinSql(aggregates, ', ')}
FROM (${labelRowsIn(query, sql`row_id AS l_row, entity_id AS l_entity, label_time_ms AS l_time`)}) AS labels
ALL INNER JOIN (
  SELECT ${joinSql(eventColumns, ', ')}
  FROM ${ident(query.eventsTable)}${query.final ? sql` FINAL` : sql``}
  WHERE ${eventTimeBounds(query.rows, longestWindowMs)}
    AND ${sourceEventsSql(view.sourceEvents)}
    AND ${filtersSql(view.filters)}
    AND customer_id IN (${labelRowsIn(query, sql`entity_id`)})
) AS label_events ON l_entity = e_entity
GROUP BY l_row`;
  return { sql: text, columns };
}
