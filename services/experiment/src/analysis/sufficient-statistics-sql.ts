import { ident, joinSql, sql, type Sql, filtersSql, numberAt } from '@kuroshio/clickhouse';
import type { MetricSpec } from '../domain/experiment-definition.js';
import { inMonthsSql, outsideMonthsSql } from './settled-event-months.js';

export const DAY_MS = 86_400_000;

export interface StatisticsQuery {
  readonly experimentKey: string;
  /** Variant keys; rows name a variant by its position here (1-based; 0: a variant not in the list). */
  readonly variants: readonly string[];
  /** Exposures and events strictly before this instant. */
  readonly asOfMs: number;
  readonly metrics: readonly MetricSpec[];
  /**
   * An instant that, as far as the caller knows, no unit's first exposure precedes (the experiment's
   * creation less a margin for clock skew). Lets the query skip the events before its day minus the
   * longest CUPED lookback, which can count for no unit, and prune their months. Only a promise:
   * `firstExposuresKeptBound` checks it against the result. Absent or null: every event is read.
   */
  readonly exposuresFromMs?: number | null;
  /**
   * Units whose metric window has not closed by `asOfMs` (first exposure + window > asOfMs):
   * 'exclude' (the default) leaves them out of that metric's n and sums, so a windowed metric is
   * the metric as defined; 'include' counts their partial windows (GrowthBook's setting of the same
   * name). Metrics without a window, n and the SRM count every unit either way.
   */
  readonly inProgressConversions?: InProgressConversions;
}

export const IN_PROGRESS_CONVERSIONS = ['exclude', 'include'] as const;
export type InProgressConversions = (typeof IN_PROGRESS_CONVERSIONS)[number];

/**
 * How to read `events`: the months (YYYYMM) known to hold no replayed duplicate are read without
 * FINAL; with `fromMs`, events before it are not read (`eventsLowerBoundMs`).
 */
export interface EventsRead {
  readonly settledMonths: readonly number[];
  readonly fromMs?: number | null;
}

/**
 * How the query brings a unit's first exposure and its events together (same result either way):
 * - 'union': one GROUP BY unit over both row sets — no join. ClickHouse 18.16 joins in one thread
 *   and merges every FINAL part in one thread; there this shape takes ~0.6 of the join's CPU.
 * - 'join': each side grouped by unit on its own, then ANY LEFT JOIN. Current servers group and join
 *   in parallel; there it is the faster shape (decision 0020 has the figures for 18.16 and 26.9).
 */
export type StatisticsShape = 'union' | 'join';

/**
 * The events the query must read start here when every first exposure is on or after the day of
 * `query.exposuresFromMs`: an event counts for a unit only from its first exposure minus its
 * metric's lookback. null without `exposuresFromMs`.
 */
export function eventsLowerBoundMs(query: StatisticsQuery): number | null {
  const day = firstExposureDayBound(query);
  if (day === null) return null;
  const lookback = Math.max(0, ...query.metrics.map((metric) => metric.cupedLookbackMs ?? 0));
  return Math.max(0, day * DAY_MS - lookback);
}

/**
 * True when the result rows (their `day` of first exposure) show that `eventsLowerBoundMs` held: no
 * unit first exposed before the day of `query.exposuresFromMs`. Every unit exposed before the
 * analysis instant is in some row, so a broken promise is always seen.
 */
export function firstExposuresKeptBound(query: StatisticsQuery, days: readonly number[]): boolean {
  const day = firstExposureDayBound(query);
  return day === null || days.every((rowDay) => rowDay >= day);
}

function firstExposureDayBound(query: StatisticsQuery): number | null {
  const from = query.exposuresFromMs;
  return from === undefined || from === null ? null : Math.floor(from / DAY_MS);
}

// A unit's first exposure packed as exposed_at_ms * 256 + variant position: one min() picks the
// earliest exposure and, on a tie, the lowest position. exposed_at_ms < 2^48 (year 10889) fits.
const VARIANT_SLOTS = 256;
const NOT_EXPOSED = 18446744073709551615n;

/**
 * One query for every metric of an experiment, aggregated in ClickHouse down to sufficient
 * statistics per (variant, day of first exposure): units `n`, units `mv` exposed under more than one
 * variant (distinct variant names), and per metric i the units `n<i>` it counts (those whose
 * window has closed, unless `inProgressConversions` is 'include') and over them the sums
 * `s<i>` = Σy, `q<i>` = Σy², and for CUPED `x<i>s` = Σx, `xx<i>` = Σx², `xy<i>` = Σxy, where y is
 * the unit's value in the metric window after its first exposure and x the same metric over the
 * lookback before it. Totals are the sums over days; the daily rows give the cumulative lift.
 *
 * Shape (decision 0020; both run on 18.16 and current servers): per unit, min(first exposure
 * packed with the variant position) from its first-exposure rows (table `first_exposures`, kept by
 * a materialised view) and its matching events as parallel arrays (time, a bit mask of the metrics
 * the event counts for, one value array per summed property) — by one GROUP BY unit over both row
 * sets ('union', no join), or by grouping each side and joining them ('join'); see StatisticsShape.
 * The metric values are array folds against the first exposure. Units with events but no exposure
 * before `asOfMs` are dropped; units without events get empty arrays, i.e. 0. Units are keyed by
 * cityHash64 of their id (events by cityHash64(customer_id)): a collision of two ids among 10M units
 * has a probability of ~3e-6 and would merge two units. Events are read FINAL (a replayed event
 * must not count twice) except in
 * `read.settledMonths`, which hold none, and from `read.fromMs` on when given. Every value is escaped
 * by `sql`; column aliases come from metric positions, never from metric names.
 */
export function sufficientStatisticsSql(query: StatisticsQuery, read: EventsRead = { settledMonths: [] }, shape: StatisticsShape = 'union'): Sql {
  const { metrics } = query;
  if (metrics.length > 30) throw new RangeError('at most 30 metrics fit the event bit mask');
  const summed = metrics.flatMap((metric, i) => (metric.kind === 'sum' ? [i] : []));

  const perUnit = metrics.flatMap((metric, i) => [
    sql`${unitValue(metric, i, afterExposure(metric))} AS ${ident(`y${i}`)}`,
    ...(metric.cupedLookbackMs === null ? [] : [sql`${unitValue(metric, i, beforeExposure(metric.cupedLookbackMs))} AS ${ident(`x${i}`)}`]),
  ]);
  const sums = metrics.flatMap((metric, i) => {
    const y = ident(`y${i}`);
    const x = ident(`x${i}`);
    const closed = windowClosed(metric, query);
    const total = (value: Sql) => (closed === null ? sql`sum(${value})` : sql`sumIf(${value}, ${closed})`);
    // Without CUPED the covariate is 0 for every unit: constant sums, no per-unit column.
    const covariate = (value: Sql) => (metric.cupedLookbackMs === null ? sql`toFloat64(0)` : total(value));
    return [
      sql`${closed === null ? sql`count()` : sql`countIf(${closed})`} AS ${ident(`n${i}`)}`,
      sql`${total(y)} AS ${ident(`s${i}`)}`,
      sql`${total(sql`${y} * ${y}`)} AS ${ident(`q${i}`)}`,
      sql`${covariate(x)} AS ${ident(`x${i}s`)}`,
      sql`${covariate(sql`${x} * ${x}`)} AS ${ident(`xx${i}`)}`,
      sql`${covariate(sql`${x} * ${y}`)} AS ${ident(`xy${i}`)}`,
    ];
  });
  const units = shape === 'union' ? unionUnits(query, summed, read) : joinedUnits(query, summed, read);

  return sql`
    SELECT v AS variant, intDiv(first_ms, ${DAY_MS}) AS day, count() AS n, sum(several) AS mv, ${joinSql(sums, ', ')}
    FROM
    (
      SELECT pk % ${VARIANT_SLOTS} AS v, intDiv(pk, ${VARIANT_SLOTS}) AS first_ms, vlo != vhi AS several, ${joinSql(perUnit, ', ')}
      FROM
      (
        ${units}
      )
    )
    GROUP BY variant, day
    ORDER BY variant, day`;
}

/** One row per exposed unit: pk, vlo, vhi and its events' arrays ts, ms, a<i> — by one GROUP BY over both row sets. */
function unionUnits(query: StatisticsQuery, summed: readonly number[], read: EventsRead): Sql {
  const amountArrays = summed.map((i) => sql`, groupArrayIf(${ident(`amount${i}`)}, e = 0) AS ${ident(`a${i}`)}`);
  return sql`
        SELECT u, min(p) AS pk, min(lo) AS vlo, max(hi) AS vhi, groupArrayIf(t, e = 0) AS ts, groupArrayIf(m, e = 0) AS ms${joinSql(amountArrays, '\n')}
        FROM
        (
          ${firstExposureRows(query, summed)}
          UNION ALL
          ${eventRows(query, summed, read)}
        )
        GROUP BY u
        HAVING pk != ${NOT_EXPOSED}`;
}

/** The same rows as `unionUnits`: exposures and events grouped by unit each on their own, then joined. */
function joinedUnits(query: StatisticsQuery, summed: readonly number[], read: EventsRead): Sql {
  const amountArrays = summed.map((i) => sql`, groupArray(${ident(`amount${i}`)}) AS ${ident(`a${i}`)}`);
  return sql`
        SELECT u, pk, vlo, vhi, ts, ms${joinSql(summed.map((i) => sql`, ${ident(`a${i}`)}`), '\n')}
        FROM
        (
          SELECT u, min(p) AS pk, min(lo) AS vlo, max(hi) AS vhi
          FROM (${firstExposureRows(query, summed)})
          GROUP BY u
        ) AS units
        ANY LEFT JOIN
        (
          SELECT u, groupArray(t) AS ts, groupArray(m) AS ms${joinSql(amountArrays, '\n')}
          FROM (${eventRows(query, summed, read)})
          GROUP BY u
        ) AS unit_events USING u`;
}

/**
 * One row per (unit, variant) and part of `first_exposures`; min() over a unit's rows is its first
 * exposure before asOfMs. lo and hi carry the variant's hash (events: the neutral bounds), so a
 * unit's min(lo) != max(hi) when it was exposed under two variants, known or not.
 */
function firstExposureRows(query: StatisticsQuery, summed: readonly number[]): Sql {
  const variantList = sql`[${joinSql(query.variants.map((variant) => sql`${variant}`), ', ')}]`;
  const first = sql`finalizeAggregation(first_exposed_at_ms)`;
  const noAmounts = summed.map((i) => sql`, toFloat64(0) AS ${ident(`amount${i}`)}`);
  return sql`
    SELECT unit_hash AS u, toUInt8(1) AS e, ${first} * ${VARIANT_SLOTS} + indexOf(${variantList}, variant) AS p, cityHash64(variant) AS lo, cityHash64(variant) AS hi, toUInt64(0) AS t, toUInt32(0) AS m${joinSql(noAmounts, '\n')}
    FROM first_exposures
    WHERE experiment_key = ${query.experimentKey} AND ${first} < ${query.asOfMs}`;
}

/** The metrics' events before asOfMs, each with the bit mask of the metrics it counts for. */
function eventRows(query: StatisticsQuery, summed: readonly number[], read: EventsRead): Sql {
  const { metrics, asOfMs } = query;
  const events = [...new Set(metrics.map((metric) => metric.event))];
  const mask = metrics
    .map((metric, i) => sql`if(event = ${metric.event} AND ${filtersSql(metric.filters)}, ${2 ** i}, 0)`)
    .reduce((sum, bit) => sql`${sum} + ${bit}`);
  const amounts = summed.map((i) => sql`, ${numberAt((metrics[i] as MetricSpec).property)} AS ${ident(`amount${i}`)}`);
  const select = sql`SELECT cityHash64(customer_id) AS u, toUInt8(0) AS e, toUInt64(${NOT_EXPOSED}) AS p, toUInt64(${NOT_EXPOSED}) AS lo, toUInt64(0) AS hi, event_time_ms AS t, toUInt32(${mask}) AS m${joinSql(amounts, '\n')}`;
  const where = sql`type = 'track' AND event IN (${joinSql(events.map((event) => sql`${event}`), ', ')}) AND event_time_ms < ${asOfMs}${fromSql(read.fromMs ?? null)}`;
  if (read.settledMonths.length === 0) return sql`${select} FROM events FINAL WHERE ${where}`;
  return sql`
    ${select} FROM events WHERE ${where} AND ${inMonthsSql(read.settledMonths)}
    UNION ALL
    ${select} FROM events FINAL WHERE ${where} AND ${outsideMonthsSql(read.settledMonths)}`;
}

// event_time is event_time_ms cut to the second; the day of margin only keeps the month pruning
// (by event_time, the partition key) from ever dropping an event the exact condition keeps.
function fromSql(fromMs: number | null): Sql {
  if (fromMs === null) return sql``;
  return sql` AND event_time_ms >= ${fromMs} AND event_time >= toDateTime(${Math.max(0, Math.floor(fromMs / 1000) - 86_400)})`;
}

/**
 * The condition (over a unit's `first_ms`) that metric's window has closed by the analysis instant;
 * null when every unit counts (no window, or in-progress units included).
 */
export function windowClosed(metric: MetricSpec, query: Pick<StatisticsQuery, 'asOfMs' | 'inProgressConversions'>): Sql | null {
  if (metric.windowMs === null || query.inProgressConversions === 'include') return null;
  return sql`first_ms + ${metric.windowMs} <= ${query.asOfMs}`;
}

export function afterExposure(metric: MetricSpec): Sql {
  return metric.windowMs === null ? sql`t >= first_ms` : sql`t >= first_ms AND t < first_ms + ${metric.windowMs}`;
}

export function beforeExposure(lookbackMs: number): Sql {
  return sql`t < first_ms AND t + ${lookbackMs} >= first_ms`;
}

/** A unit's value over its events (arrays ts, ms, a<i>) that count for metric `i` and fall in `window`. */
export function unitValue(metric: MetricSpec, i: number, window: Sql): Sql {
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
