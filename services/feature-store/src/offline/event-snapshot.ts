import { ident, sql, type ClickHouseClient, sourceEventsSql } from '@kuroshio/clickhouse';

/**
 * The events one export reads, copied once from the warehouse table with FINAL into a table of its
 * own: replays are folded once instead of once per view and chunk, every view sees the same events
 * even while the ETL keeps inserting, and the copy is sorted by customer, so each chunk's
 * `customer_id IN (...)` reads only its customers' granules. Dropped with the export's label table.
 */
export async function createEventSnapshot(
  clickhouse: ClickHouseClient,
  options: { snapshotTable: string; eventsTable: string; labelsTable: string; sourceEvents: readonly string[]; fromMs: number; toMs: number },
): Promise<void> {
  const fromMs = Math.max(0, options.fromMs);
  await clickhouse.command(sql`DROP TABLE IF EXISTS ${ident(options.snapshotTable)}`);
  await clickhouse.command(sql`
    CREATE TABLE ${ident(options.snapshotTable)}
    ENGINE = MergeTree() ORDER BY (customer_id, event_time_ms)
    AS SELECT customer_id, event_time, event_time_ms, message_id, type, event, properties
    FROM ${ident(options.eventsTable)} FINAL
    WHERE event_time >= ${new Date(fromMs)} AND event_time <= ${new Date(Math.max(fromMs, options.toMs))}
      AND event_time_ms >= ${fromMs} AND event_time_ms < ${options.toMs}
      AND ${sourceEventsSql(options.sourceEvents)}
      AND customer_id IN (SELECT entity_id FROM ${ident(options.labelsTable)})`);
}
