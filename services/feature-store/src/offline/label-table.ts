import { ident, sql, type ClickHouseClient } from '@kuroshio/clickhouse';
import type { LabelRowSet } from './label-rows.js';

/** Prefix of the per-export label tables; anything left behind by a crash is swept at start-up. */
export const LABEL_TABLE_PREFIX = 'feature_store_labels_';
const UPLOAD_BATCH_ROWS = 100_000;

export function labelTableName(jobId: string): string {
  return `${LABEL_TABLE_PREFIX}${jobId.replace(/[^A-Za-z0-9]/g, '')}`;
}

/**
 * The label rows of one export (or parity check) in ClickHouse, so the point-in-time join runs there:
 * `row_id` is the row's position in training-set order, which lets queries take the rows chunk by chunk.
 * A MergeTree, not a Memory table: it must survive the HTTP session of the query that created it.
 */
export async function createLabelTable(clickhouse: ClickHouseClient, table: string, rows: LabelRowSet): Promise<void> {
  await clickhouse.command(sql`DROP TABLE IF EXISTS ${ident(table)}`);
  await clickhouse.command(sql`
    CREATE TABLE ${ident(table)} (row_id UInt32, entity_id String, label_time_ms Int64, label Float64)
    ENGINE = MergeTree() ORDER BY row_id`);
  for (let start = 0; start < rows.length; start += UPLOAD_BATCH_ROWS) {
    const end = Math.min(rows.length, start + UPLOAD_BATCH_ROWS);
    const batch = new Array<{ row_id: number; entity_id: string; label_time_ms: number; label: number }>(end - start);
    for (let row = start; row < end; row++) {
      batch[row - start] = { row_id: row, entity_id: rows.entityIds[row] as string, label_time_ms: rows.labelTimesMs[row] as number, label: rows.labels[row] as number };
    }
    await clickhouse.insert(table, batch);
  }
}

export async function dropLabelTable(clickhouse: ClickHouseClient, table: string): Promise<void> {
  await clickhouse.command(sql`DROP TABLE IF EXISTS ${ident(table)}`);
}

/** Drops label tables older than `olderThanMs` (left by a process that died mid-export). */
export async function sweepLabelTables(clickhouse: ClickHouseClient, olderThanMs: number, now = Date.now()): Promise<string[]> {
  const rows = await clickhouse.query<{ name: string }>(sql`
    SELECT name FROM system.tables
    WHERE database = ${clickhouse.database} AND startsWith(name, ${LABEL_TABLE_PREFIX}) AND metadata_modification_time < ${new Date(now - olderThanMs)}`);
  for (const { name } of rows) await dropLabelTable(clickhouse, name);
  return rows.map(({ name }) => name);
}
