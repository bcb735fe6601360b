import { ident, joinSql, sql, type Sql } from '@kuroshio/clickhouse';
import { analystViewName, type ExperimentSpec } from '../domain/experiment-definition.js';

/**
 * `CREATE VIEW experiment_<key>`: each unit's first exposure (variant, instant) joined with its
 * events of the experiment's metrics, one row per (unit, event) — a unit without events appears
 * once with an empty event. Analysts filter `ms_after_exposure` for their own windows. Tables are
 * qualified with the database, as a view's query is resolved where it is read. Runs on 18.16.
 */
export function analystViewSql(database: string, spec: ExperimentSpec): Sql {
  const events = [...new Set(spec.metrics.map((metric) => metric.event))];
  const table = (name: string) => sql`${ident(database)}.${ident(name)}`;
  return sql`
    CREATE VIEW IF NOT EXISTS ${table(analystViewName(spec.key))} AS
    SELECT
      unit_id, variant, first_exposed_at_ms,
      toDateTime(intDiv(first_exposed_at_ms, 1000), 'UTC') AS first_exposed_at,
      event, event_time_ms, toDateTime(intDiv(event_time_ms, 1000), 'UTC') AS event_time, properties,
      if(event_time_ms = 0, toInt64(0), toInt64(event_time_ms) - toInt64(first_exposed_at_ms)) AS ms_after_exposure
    FROM
    (
      SELECT unit_id, argMin(variant, exposed_at_ms) AS variant, min(exposed_at_ms) AS first_exposed_at_ms
      FROM ${table('exposures')}
      WHERE experiment_key = ${spec.key}
      GROUP BY unit_id
    ) AS first_exposure
    ALL LEFT JOIN
    (
      SELECT customer_id AS unit_id, event, event_time_ms, properties
      FROM ${table('events')}
      WHERE type = 'track' AND event IN (${joinSql(events.map((event) => sql`${event}`), ', ')})
    ) AS unit_events USING unit_id`;
}
