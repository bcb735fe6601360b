import { sql, type ClickHouseClient } from '@kuroshio/clickhouse';
import type { Progress } from './progress.js';

const CHUNK = 5_000;

/** How many of these message ids the ETL has landed in ClickHouse `events` (replays counted once). */
export async function countLanded(clickhouse: ClickHouseClient, messageIds: readonly string[]): Promise<number> {
  let landed = 0;
  for (let start = 0; start < messageIds.length; start += CHUNK) {
    const ids = messageIds.slice(start, start + CHUNK);
    const [row] = await clickhouse.query<{ landed: string }>(sql`SELECT uniqExact(message_id) AS landed FROM events WHERE has(${ids}, message_id)`);
    landed += Number(row?.landed ?? 0);
  }
  return landed;
}

/**
 * Waits until every acknowledged event is in ClickHouse: the ETL's sinks are the source of truth for
 * features, so training before they are complete would train on a partial history.
 */
export async function waitForWarehouse(
  clickhouse: ClickHouseClient,
  messageIds: readonly string[],
  progress: Progress,
  options: { timeoutMs: number; pollMs?: number } = { timeoutMs: 600_000 },
): Promise<number> {
  const task = progress.task('ETL lands the events in ClickHouse and the lake', messageIds.length);
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const landed = await countLanded(clickhouse, messageIds);
    task.update(landed);
    if (landed >= messageIds.length) {
      task.done(`${landed} events in ClickHouse`);
      return landed;
    }
    if (Date.now() > deadline) throw new Error(`only ${landed} of ${messageIds.length} events reached ClickHouse within ${options.timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 2_000));
  }
}
