import { joinSql, sql, type Sql } from '@kuroshio/clickhouse';

/** One active part of the `events` table, as `system.parts` lists it. */
export interface EventsPart {
  /** The partition id: toYYYYMM(event_time), e.g. "202601" (migration 0001). */
  readonly partition: string;
  readonly name: string;
  /**
   * 0 for a part written by an INSERT, > 0 for one made by a merge — or, on current servers, for an
   * inserted block they deduplicated as they wrote it (optimize_on_insert, on by default).
   */
  readonly level: number;
}

/** Settled months of `events` (YYYYMM) and the one part that holds each. */
export type SettledMonths = ReadonlyMap<number, string>;

const MONTH_ID = /^(\d{4})(0[1-9]|1[0-2])$/;

/**
 * The months of `events` that read the same with and without FINAL: exactly one active part, made
 * by a merge. A ReplacingMergeTree merge keeps one row per sorting key (tenant, customer_id,
 * event_time, message_id), so such a month holds no replayed duplicate; and a replay lands in its
 * own month, because the month is a function of event_time, part of the key. A part written by an
 * INSERT (level 0) may hold duplicates of its own block, so its month is not settled. This is the
 * rule current ClickHouse applies itself (FINAL skips single-part partitions of level > 0); 18.16
 * merges every part of the query in one thread instead.
 */
export function settledMonths(parts: readonly EventsPart[]): SettledMonths {
  const byMonth = new Map<string, EventsPart[]>();
  for (const part of parts) byMonth.set(part.partition, [...(byMonth.get(part.partition) ?? []), part]);
  const settled = new Map<number, string>();
  for (const [partition, inMonth] of byMonth) {
    const only = inMonth[0];
    if (inMonth.length === 1 && only !== undefined && only.level > 0 && MONTH_ID.test(partition)) settled.set(Number(partition), only.name);
  }
  return settled;
}

/** True when every month settled `before` is still held by the same part: a read in between saw exactly that part. */
export function stillSettled(before: SettledMonths, after: SettledMonths): boolean {
  return [...before].every(([month, part]) => after.get(month) === part);
}

/** `events` rows in the given months; prunes partitions on 18.16. */
export function inMonthsSql(months: readonly number[]): Sql {
  return sql`toYYYYMM(event_time) IN (${joinSql(months.map((month) => sql`${month}`), ', ')})`;
}

/**
 * `events` rows outside the given months, including months that do not exist yet, as event_time
 * ranges: 18.16 prunes partitions by ranges, not by NOT IN.
 */
export function outsideMonthsSql(months: readonly number[]): Sql {
  const runs = consecutiveRuns([...new Set(months)].sort((a, b) => a - b));
  const gaps: Sql[] = [];
  let from: number | null = null;
  for (const [first, last] of runs) {
    const start = monthStartSeconds(first);
    gaps.push(from === null ? sql`event_time < toDateTime(${start})` : sql`(event_time >= toDateTime(${from}) AND event_time < toDateTime(${start}))`);
    from = monthStartSeconds(nextMonth(last));
  }
  if (from === null) return sql`1`;
  gaps.push(sql`event_time >= toDateTime(${from})`);
  return sql`(${joinSql(gaps, ' OR ')})`;
}

function consecutiveRuns(sorted: readonly number[]): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (const month of sorted) {
    const run = runs[runs.length - 1];
    if (run !== undefined && nextMonth(run[1]) === month) run[1] = month;
    else runs.push([month, month]);
  }
  return runs;
}

function nextMonth(month: number): number {
  return month % 100 === 12 ? (Math.floor(month / 100) + 1) * 100 + 1 : month + 1;
}

function monthStartSeconds(month: number): number {
  return Date.UTC(Math.floor(month / 100), (month % 100) - 1, 1) / 1000;
}
