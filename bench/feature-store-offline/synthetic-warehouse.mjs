// Synthetic telecom events generated inside ClickHouse, and the plain-join reference of the benchmark.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const DAY_MS = 86_400_000;

/**
 * FS_BENCH_EVENTS rows into `events`, spread uniformly over the 180 days before endMs: 40 % carrier-billing
 * charges, 20 % payments, 15 % page views, 13 % screen views, 6 % LINE text messages, 6 % app opens,
 * with the properties the ETL schemas define. Customers are drawn by a hash of the row number.
 */
export async function generateEvents({ clickhouse, trustedSql, events, customers, endMs }) {
  const started = performance.now();
  const spanMs = 180 * DAY_MS;
  const n = (value) => String(Math.trunc(value));
  await clickhouse.command(
    trustedSql(`
INSERT INTO events (message_id, tenant, source, channel, type, event, customer_id, user_id, anonymous_id, event_time, event_time_ms, received_at, properties, context, traits, schema_version)
SELECT
  concat('m', toString(number)),
  'bench', 'bench', if(k < 75 AND k >= 60, 'web', 'app'),
  multiIf(k < 60, 'track', k < 75, 'page', k < 88, 'screen', 'track') AS type,
  multiIf(k < 40, 'Carrier Billing Charge', k < 60, 'Carrier Billing Payment', k < 88, '', k < 94, 'LINE Message Received', 'Application Opened'),
  concat('cust-', toString(c)) AS customer, customer, '',
  toDateTime(intDiv(t, 1000)), t, toDateTime(intDiv(t, 1000)),
  multiIf(
    k < 40, concat('{"chargeId":"ch-', toString(number), '","amount":', toString(30 + h % 2000), ',"currency":"TWD","merchant":"merchant-', toString(h % 23), '","dueDate":"2026-05-20"}'),
    k < 60, concat('{"paymentId":"p-', toString(number), '","chargeIds":["ch-', toString(number - 20), '"],"amount":', toString(30 + h % 2000), ',"currency":"TWD","paidAt":"2026-05-01T00:00:00Z","daysPastDue":', toString(h % 15), '}'),
    k < 75, concat('{"path":"/p', toString(h % 9), '"}'),
    k < 88, '{"name":"Home"}',
    k < 94, concat('{"lineEventType":"message","messageType":"text","text":"hello ', toString(h % 1000), '"}'),
    '{}'),
  '{}', '{}', 1
FROM (
  SELECT number, number % 100 AS k, intHash32(number) AS h, intHash32(number + 7) % ${n(customers)} AS c,
    toUInt64(${n(endMs)} - intHash64(number) % ${n(spanMs)}) AS t
  FROM numbers(${n(events)})
)`),
  );
  const byEvent = await clickhouse.query(trustedSql(`SELECT if(type = 'track', event, type) AS name, count() AS n FROM events GROUP BY name ORDER BY name`));
  return { seconds: (performance.now() - started) / 1000, byEvent: Object.fromEntries(byEvent.map((row) => [row.name, Number(row.n)])) };
}

/** Per view: label rows joined to the view's events of the same customer, counted per label row, read into Node. */
export async function referenceJoins({ clickhouse, sql, ident, views, labelsTable, eventsTable }) {
  const { filtersSql, sourceEventsSql } = await import(join(root, 'services/feature-store/dist/offline/property-sql.js'));
  const started = performance.now();
  let joinedRows = 0;
  for (const view of views) {
    const rows = await clickhouse.query(sql`
SELECT l_row AS row_id, toUInt32(count()) AS n
FROM (SELECT row_id AS l_row, entity_id AS l_entity FROM ${ident(labelsTable)}) AS labels
ALL INNER JOIN (
  SELECT customer_id AS e_entity FROM ${ident(eventsTable)} FINAL
  WHERE ${sourceEventsSql(view.sourceEvents)} AND ${filtersSql(view.filters)}
) AS label_events ON l_entity = e_entity
GROUP BY l_row`);
    for (const row of rows) joinedRows += row.n;
  }
  return { seconds: (performance.now() - started) / 1000, queries: views.length, joinedRows };
}
