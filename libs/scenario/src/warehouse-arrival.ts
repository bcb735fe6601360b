import { ClickHouseClient, sql } from '@kuroshio/clickhouse';
import type { ClickHouseSettings } from '@kuroshio/config';
import { createLogger } from '@kuroshio/telemetry';
import type { Progress } from './progress.js';

/** A client of the warehouse the ETL and the sinks write, for the scenario's waits (close it when done). */
export function openWarehouse(settings: ClickHouseSettings): ClickHouseClient {
  return new ClickHouseClient({ ...settings, logger: createLogger({ service: 'scenario', level: 'warn' }) });
}

const CHUNK = 5_000;

/** How many of these message ids the ETL has landed in ClickHouse `events` (replays counted once). */
export async function countLanded(clickhouse: ClickHouseClient, messageIds: readonly string[]): Promise<number> {
  let landed = 0;
  for (let start = 0; start < messageIds.length; start += CHUNK) {
    const ids = messageIds.slice(start, start + CHUNK);
    // IN over a set, not has(array): one hash lookup per row instead of a scan of the ids per row,
    // which took longer than the client's timeout once the warehouse held earlier runs' events.
    const [row] = await clickhouse.query<{ landed: string }>(sql`SELECT uniqExact(message_id) AS landed FROM events WHERE message_id IN (SELECT arrayJoin(${ids}))`);
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

/**
 * Waits until the exposures inference logged for an experiment are in ClickHouse `exposures` (the
 * experiment service's sink lands them from Kafka): the analysis counts only units it can see.
 */
export async function waitForExposures(
  clickhouse: ClickHouseClient,
  experimentKey: string,
  units: number,
  progress: Progress,
  options: { timeoutMs: number; pollMs?: number } = { timeoutMs: 300_000 },
): Promise<number> {
  const task = progress.task(`exposures of ${experimentKey} land in ClickHouse`, units);
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const [row] = await clickhouse.query<{ units: string }>(sql`SELECT uniqExact(unit_id) AS units FROM exposures WHERE experiment_key = ${experimentKey}`);
    const landed = Number(row?.units ?? 0);
    task.update(landed);
    if (landed >= units) {
      task.done(`${landed} exposed customers in ClickHouse`);
      return landed;
    }
    if (Date.now() > deadline) throw new Error(`only ${landed} of ${units} exposed units of ${experimentKey} reached ClickHouse within ${options.timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1_000));
  }
}
