import { ident, sql, type Sql, existsAt, filtersSql, isStringAt, rawAt, sourceEventsSql, stringAt } from '@kuroshio/clickhouse';
import { DEADLINE_PATTERN, type EventLabelDefinition, type EventLabelWindow } from './event-label.js';

// JSON scalars inside a value's text: each string (escapes kept), number, true or false. An outcome's
// correlation value (a scalar, or an array of scalars such as chargeIds) becomes the list of them.
const JSON_SCALARS = '"(?:[^"\\\\]|\\\\.)*"|-?[0-9][0-9.eE+-]*|true|false';

/** Result row of `eventLabelSql`. */
export interface EventLabelSqlRow {
  readonly entity_id: string;
  /** Epoch ms as a JSON number. */
  readonly label_time_ms: number;
  /** Matching outcomes of the anchor. */
  readonly outcomes: number;
}

function deadlineSql(definition: EventLabelDefinition): Sql {
  if (definition.deadlineProperty === undefined) return sql`toInt64(event_time_ms)`;
  const path = definition.deadlineProperty;
  const text = stringAt(path);
  // Mirrors deadlineMs(): a date is due until the end of that UTC day; other texts give NULL.
  return sql`if(${isStringAt(path)} AND match(${text}, ${DEADLINE_PATTERN}),
      toInt64(toUInt64(parseDateTimeBestEffortOrNull(${text}, 'UTC')) * 1000) + if(length(${text}) = 10, 86400000, 0),
      NULL)`;
}

/**
 * Every anchor of the window with the number of its matching outcomes, in one query: anchors (deadline
 * passed by the cutoff) left-joined to the outcome events of the same entity, counted when
 * `anchor time <= outcome time < deadline + window` and, with a correlation, when the outcome's
 * value contains the anchor's. FINAL: a replayed event counts once.
 */
export function eventLabelSql(eventsTable: string, definition: EventLabelDefinition, window: EventLabelWindow): Sql {
  const table = ident(eventsTable);
  const correlation = definition.correlation;
  const anchorKey = correlation === undefined ? sql`''` : rawAt(correlation.anchorPath);
  const outcomeKeys = correlation === undefined ? sql`emptyArrayString()` : sql`extractAll(${rawAt(correlation.outcomePath)}, ${JSON_SCALARS})`;
  const correlated = correlation === undefined ? sql`1` : sql`has(o_keys, a_key)`;
  const anchorHasKey = correlation === undefined ? sql`1` : existsAt(correlation.anchorPath);
  const anchors = sql`
    SELECT a_entity, a_time, a_id, assumeNotNull(a_deadline_or_null) AS a_deadline, a_key
    FROM (
      SELECT customer_id AS a_entity, toInt64(event_time_ms) AS a_time, message_id AS a_id,
        ${deadlineSql(definition)} AS a_deadline_or_null, ${anchorKey} AS a_key
      FROM ${table} FINAL
      WHERE event_time >= ${new Date(window.startMs)} AND event_time_ms >= ${window.startMs} AND event_time_ms < ${window.endMs}
        AND ${sourceEventsSql([definition.anchorEvent])}
        AND ${filtersSql(definition.anchorFilters)}
        AND ${anchorHasKey}
    )
    WHERE isNotNull(a_deadline_or_null) AND a_deadline_or_null + ${definition.outcomeWindowMs} <= ${window.cutoffMs}`;
  return sql`
SELECT a_entity AS entity_id, toFloat64(a_time) AS label_time_ms,
  toUInt32(countIf(o_time >= a_time AND o_time < a_deadline + ${definition.outcomeWindowMs} AND ${correlated})) AS outcomes
FROM (${anchors}) AS anchors
ALL LEFT JOIN (
  SELECT customer_id AS o_entity, toInt64(event_time_ms) AS o_time, ${outcomeKeys} AS o_keys
  FROM ${table} FINAL
  WHERE event_time >= ${new Date(window.startMs)} AND event_time_ms >= ${window.startMs} AND event_time_ms < ${window.cutoffMs}
    AND ${sourceEventsSql([definition.outcomeEvent])}
    AND customer_id IN (SELECT a_entity FROM (${anchors}))
) AS outcomes ON a_entity = o_entity
GROUP BY a_entity, a_time, a_id
ORDER BY entity_id, label_time_ms, a_id`;
}
