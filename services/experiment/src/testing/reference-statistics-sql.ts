import { ident, joinSql, sql, type Sql, filtersSql, numberAt } from '@kuroshio/clickhouse';
import { afterExposure, beforeExposure, DAY_MS, unitValue, type StatisticsQuery } from '../analysis/sufficient-statistics-sql.js';

/**
 * The statistics query as it was before `first_exposures` (decision 0020), kept only as the
 * reference the equivalence test compares the service's query with: first exposures grouped from
 * the raw `exposures` (argMin/min per unit) ANY LEFT JOIN the unit's events (all read FINAL) as
 * parallel arrays; units exposed under several variants by the least and greatest hash of the name, and the units a
 * windowed metric counts by its own comparison with the instant. Same output columns as
 * `sufficientStatisticsSql`. Not used by the service.
 * The per-unit folds (metric value, CUPED covariate) are the service's own expressions: what this
 * reference checks is the query's shape, not them.
 */
export function referenceStatisticsSql(query: StatisticsQuery): Sql {
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
  const sums = metrics.flatMap((metric, i) => {
    const y = ident(`y${i}`);
    const x = ident(`x${i}`);
    // A unit counts for a windowed metric once first exposure + window <= asOf, unless in-progress units are included.
    const counted = metric.windowMs === null || query.inProgressConversions === 'include' ? sql`1` : sql`(toInt64(first_ms) <= ${asOfMs - metric.windowMs})`;
    return [
      sql`sum(${counted}) AS ${ident(`n${i}`)}`,
      sql`sum(${counted} * ${y}) AS ${ident(`s${i}`)}`,
      sql`sum(${counted} * ${y} * ${y}) AS ${ident(`q${i}`)}`,
      sql`sum(${counted} * ${x}) AS ${ident(`x${i}s`)}`,
      sql`sum(${counted} * ${x} * ${x}) AS ${ident(`xx${i}`)}`,
      sql`sum(${counted} * ${x} * ${y}) AS ${ident(`xy${i}`)}`,
    ];
  });

  return sql`
    SELECT v AS variant, intDiv(first_ms, ${DAY_MS}) AS day, count() AS n, sum(several) AS mv, ${joinSql(sums, ', ')}
    FROM
    (
      SELECT v, first_ms, several, ${joinSql(perUnit, ', ')}
      FROM
      (
        SELECT cityHash64(unit_id) AS u, argMin(indexOf(${variantList}, variant), exposed_at_ms) AS v, min(exposed_at_ms) AS first_ms, min(cityHash64(variant)) != max(cityHash64(variant)) AS several
        FROM exposures
        WHERE ${exposureFilter}
        GROUP BY u
      ) AS units
      ANY LEFT JOIN
      (
        SELECT cityHash64(customer_id) AS u, groupArray(event_time_ms) AS ts, groupArray(toUInt32(${mask})) AS ms${amounts.length === 0 ? sql`` : sql`, ${joinSql(amounts, ', ')}`}
        FROM events FINAL
        WHERE ${eventFilter}
        GROUP BY u
      ) AS unit_events USING u
    )
    GROUP BY variant, day
    ORDER BY variant, day`;
}
