import { ident, joinSql, sql, type Sql, filtersSql, numberAt } from '@kuroshio/clickhouse';
import type { MetricSpec } from '../domain/experiment-definition.js';

export const DAY_MS = 86_400_000;

export interface StatisticsQuery {
  readonly experimentKey: string;
  /** Variant keys; rows name a variant by its position here (1-based; 0: a variant not in the list). */
  readonly variants: readonly string[];
  /** Exposures and events strictly before this instant. */
  readonly asOfMs: number;
  readonly metrics: readonly MetricSpec[];
}

/**
 * One query for every metric of an experiment, aggregated in ClickHouse down to sufficient
 * statistics per (variant, day of first exposure): units `n`, and per metric i the sums
 * `s<i>` = Σy, `q<i>` = Σy², and for CUPED `x<i>s` = Σx, `xx<i>` = Σx², `xy<i>` = Σxy, where y is
 * the unit's value in the metric window after its first exposure and x the same metric over the
 * lookback before it. Totals are the sums over days; the daily rows give the cumulative lift.
 *
 * Shape (runs on 18.16 and current servers): the first exposure per unit (argMin variant, min time)
 * ANY LEFT JOIN the unit's matching events as parallel arrays (time, a bit mask of the metrics the
 * event counts for, one value array per summed property); the per-unit values are then array
 * folds against the unit's first exposure, so no per-unit row ever leaves ClickHouse. A unit
 * without events gets empty arrays (join defaults), i.e. 0 for every metric. Units are grouped and
 * joined by cityHash64 of their id and variants by their position: 8-byte and 1-byte keys instead
 * of strings keep 10M units within a query's memory (a collision of two unit ids among 10M has a
 * probability of ~3e-6, and would merge two units' values). Events are read FINAL: a replayed event
 * must not count twice. Every value is escaped by `sql`; column aliases come from metric
 * positions, never from metric names.
 */
export function sufficientStatisticsSql(query: StatisticsQuery): Sql {
  const { experimentKey, asOfMs, metrics, variants } = query;
  if (metrics.length > 30) throw new RangeError('at most 30 metrics fit the event bit mask');
  const variantList = sql`[${joinSql(variants.map((variant) => sql`${variant}`), ', ')}]`;
  const events = [...new Set(metrics.map((metric) => metric.event))];
  const eventList = joinSql(events.map((event) => sql`${event}`), ', ');
  const eventFilter = sql`type = 'track' AND event IN (${eventList}) AND event_time_ms < ${asOfMs}`;
  const exposureFilter = sql`experiment_key = ${experimentKey} AND exposed_at_ms < ${asOfMs}`;
  const mask = metrics
    .map((metric, i) => sql`if(event = ${metric.event} AND ${filtersSql(metric.filters)}, ${2 ** i}, 0)`)
    .reduce((sum, bit) => sql`${sum} + ${bit}`);
  const amounts = metrics.flatMap((metric, i) => (metric.kind === 'sum' ? [sql`groupArray(${numberAt(metric.property)}) AS ${ident(`a${i}`)}`] : []));

  const perUnit = metrics.flatMap((metric, i) => [
    sql`${unitValue(metric, i, afterExposure(metric))} AS ${ident(`y${i}`)}`,
    sql`${metric.cupedLookbackMs === null ? sql`toFloat64(0)` : unitValue(metric, i, beforeExposure(metric.cupedLookbackMs))} AS ${ident(`x${i}`)}`,
  ]);
  const sums = metrics.flatMap((_metric, i) => {
    const y = ident(`y${i}`);
    const x = ident(`x${i}`);
    return [
      sql`sum(${y}) AS ${ident(`s${i}`)}`,
      sql`sum(${y} * ${y}) AS ${ident(`q${i}`)}`,
      sql`sum(${x}) AS ${ident(`x${i}s`)}`,
      sql`sum(${x} * ${x}) AS ${ident(`xx${i}`)}`,
      sql`sum(${x} * ${y}) AS ${ident(`xy${i}`)}`,
    ];
  });

  return sql`
    SELECT v AS variant, intDiv(first_ms, ${DAY_MS}) AS day, count() AS n, ${joinSql(sums, ', ')}
    FROM
    (
      SELECT v, first_ms, ${joinSql(perUnit, ', ')}
      FROM
      (
        SELECT cityHash64(unit_id) AS u, argMin(indexOf(${variantList}, variant), exposed_at_ms) AS v, min(exposed_at_ms) AS first_ms
        FROM exposures
        WHERE ${exposureFilter}
        GROUP BY u
      )
      ANY LEFT JOIN
      (
        SELECT cityHash64(customer_id) AS u, groupArray(event_time_ms) AS ts, groupArray(toUInt32(${mask})) AS ms${amounts.length === 0 ? sql`` : sql`, ${joinSql(amounts, ', ')}`}
        FROM events FINAL
        WHERE ${eventFilter}
        GROUP BY u
      ) USING u
    )
    GROUP BY variant, day
    ORDER BY variant, day`;
}

function afterExposure(metric: MetricSpec): Sql {
  return metric.windowMs === null ? sql`t >= first_ms` : sql`t >= first_ms AND t < first_ms + ${metric.windowMs}`;
}

function beforeExposure(lookbackMs: number): Sql {
  return sql`t < first_ms AND t + ${lookbackMs} >= first_ms`;
}

/** A unit's value over its events (arrays ts, ms, a<i>) that count for metric `i` and fall in `window`. */
function unitValue(metric: MetricSpec, i: number, window: Sql): Sql {
  const matches = sql`bitAnd(m, ${2 ** i}) != 0 AND ${window}`;
  switch (metric.kind) {
    case 'conversion':
      return sql`toFloat64(arrayExists((t, m) -> ${matches}, ts, ms))`;
    case 'count':
      return sql`toFloat64(arrayCount((t, m) -> ${matches}, ts, ms))`;
    case 'sum':
      return sql`arraySum((t, m, a) -> if(${matches}, a, 0), ts, ms, ${ident(`a${i}`)})`;
  }
}
