import { readFile } from 'node:fs/promises';
import { dateTimeText, splitStatements, sql, trustedSql, type Sql } from '@kuroshio/clickhouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseAnalysis, statisticsRows } from '../adapters/clickhouse-analysis.js';
import type { MetricSpec } from '../domain/experiment-definition.js';
import { IsolatedStack } from '../testing/experiment-under-test.js';
import { referenceStatisticsSql } from '../testing/reference-statistics-sql.js';
import { inMonthsSql, outsideMonthsSql, settledMonths } from './settled-event-months.js';
import { eventsLowerBoundMs, sufficientStatisticsSql, type InProgressConversions, type StatisticsQuery } from './sufficient-statistics-sql.js';
import type { StatisticsRow } from './variant-sums.js';

// The service's statistics query (first_exposures + one GROUP BY unit, settled months without FINAL)
// against the query it replaced (raw exposures ANY LEFT JOIN events, all FINAL), on hand-planted
// edge cases, plus explicit expectations for the same units.

const stack = new IsolatedStack();
const analysis = new ClickHouseAnalysis(stack.clickhouse);
const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 10); // March 2026: made a settled month below
const AS_OF = T0 + 52 * DAY;
const KEY = 'it-edges';
const PAY = 'Pay';
const CALL = 'Call';

const metrics: MetricSpec[] = [
  { key: 'paid', description: '', kind: 'conversion', event: PAY, property: '', filters: [], windowMs: 30 * DAY, role: 'primary', direction: 'increase', cupedLookbackMs: null },
  { key: 'revenue', description: '', kind: 'sum', event: PAY, property: 'amount', filters: [], windowMs: 30 * DAY, role: 'secondary', direction: 'increase', cupedLookbackMs: 30 * DAY },
  { key: 'line_calls', description: '', kind: 'count', event: CALL, property: '', filters: [{ path: 'channel', operator: 'equals', values: ['line'] }], windowMs: null, role: 'guardrail', direction: 'decrease', cupedLookbackMs: null },
];
const query = (asOfMs: number, experimentKey = KEY, inProgressConversions: InProgressConversions = 'exclude'): StatisticsQuery => ({ experimentKey, asOfMs, variants: ['control', 'treatment'], metrics, inProgressConversions });

const exposure = (unit: string, variant: string, at: number, experimentKey = KEY) => ({
  experiment_key: experimentKey, variant, unit_id: unit, revision: 2, recorded_by: 'experiment', request_id: '', exposed_at: dateTimeText(new Date(at)), exposed_at_ms: at,
});
const event = (id: string, unit: string, name: string, at: number, properties: object = {}) => ({
  message_id: id, tenant: 'bank', source: 'it', channel: 'app', type: 'track', event: name, customer_id: unit, user_id: unit, anonymous_id: '',
  event_time: dateTimeText(new Date(at)), event_time_ms: at, received_at: dateTimeText(new Date(at)), properties: JSON.stringify(properties), context: '{}', traits: '{}', schema_version: 1,
});

beforeAll(async () => {
  await stack.setUp();
  const c = stack.clickhouse;
  await c.insert('exposures', [
    exposure('u1', 'control', T0),
    exposure('u2', 'treatment', T0 + HOUR),
    exposure('u3', 'control', T0 + 3 * DAY),
    exposure('u4', 'treatment', T0 + 4 * DAY),
    exposure('u6', 'control', AS_OF), // exposed at the analysis instant: not yet in
    exposure('u7', 'ghost', T0 + DAY), // a variant the definition does not have
    exposure('u8', 'control', T0 + 5 * DAY),
    exposure('u9', 'treatment', T0 + 25 * DAY),
    exposure('u10', 'control', T0 + DAY),
  ]);
  // Second exposures in later inserts (other parts): the first one decides.
  await c.insert('exposures', [exposure('u2', 'control', T0 + 2 * DAY), exposure('u1', 'control', T0 + 3 * DAY)]);
  await c.insert('exposures', [exposure('u10', 'control', T0 + DAY - 1), exposure('t1', 'treatment', T0), exposure('t1', 'control', T0)].map((row, i) => (i === 0 ? row : { ...row, experiment_key: 'it-tie' })));
  const march = [
    event('e1', 'u1', PAY, T0, { amount: 10 }), // at the first exposure: counts
    event('e2', 'u1', PAY, T0 + 30 * DAY, { amount: 1000 }), // at first exposure + window: does not
    event('e3', 'u2', PAY, T0 + HOUR - 1, { amount: 5 }), // just before the first exposure: covariate
    event('e4', 'u4', CALL, T0 + 4 * DAY + HOUR, { channel: 'line' }),
    event('e5', 'u4', CALL, T0 + 4 * DAY + 2 * HOUR, { channel: 'line' }),
    event('e6', 'u4', CALL, T0 + 4 * DAY + 3 * HOUR, { channel: 'app' }), // filtered out
    event('e7', 'u5', PAY, T0, { amount: 500 }), // never exposed
    event('e8', 'u7', PAY, T0 + DAY + 1, { amount: 3 }),
    event('e9', 'u8', PAY, T0 + 5 * DAY + HOUR, { amount: 30 }),
  ];
  const april = [
    event('e10', 'u2', PAY, T0 + HOUR + 30 * DAY - 1, { amount: 20 }), // last millisecond of the window
    event('e11', 'u9', PAY, T0 + 25 * DAY + HOUR, { amount: 40 }),
    event('e12', 'u4', CALL, AS_OF - 1, { channel: 'line' }), // open window: until the analysis instant
    event('e13', 'u4', CALL, AS_OF, { channel: 'line' }), // at the instant: not yet
    event('e14', 'u6', PAY, AS_OF + HOUR, { amount: 60 }),
  ];
  const february = [
    event('e15', 'u2', PAY, T0 + HOUR - 30 * DAY, { amount: 7 }), // first day of the lookback: covariate
    event('e16', 'u2', PAY, T0 + HOUR - 30 * DAY - 1, { amount: 100 }), // before the lookback
    event('e17', 'u10', PAY, T0 - 20 * DAY, { amount: 9 }),
  ];
  await c.insert('events', [...march, ...april, ...february]);
  // Replays: u8's payment (March, then merged: a settled month) and u9's (April, left unmerged).
  await c.insert('events', [event('e9', 'u8', PAY, T0 + 5 * DAY + HOUR, { amount: 30 }), event('e11', 'u9', PAY, T0 + 25 * DAY + HOUR, { amount: 40 })]);
  await c.command(sql`OPTIMIZE TABLE events PARTITION 202603 FINAL`);
});

afterAll(async () => {
  await stack.tearDown();
});

async function referenceRows(q: StatisticsQuery): Promise<StatisticsRow[]> {
  return statisticsRows(q, await stack.clickhouse.query<Record<string, unknown>>(referenceStatisticsSql(q)));
}

const byVariant = (rows: readonly StatisticsRow[], variant: string) => rows.filter((row) => row.variant === variant);
const total = (rows: readonly StatisticsRow[], pick: (row: StatisticsRow) => number) => rows.reduce((sum, row) => sum + pick(row), 0);

describe('sufficient statistics from first_exposures (one GROUP BY unit)', () => {
  it('reads March without FINAL because one merged part holds it, and April, which holds a replay in a second part, with FINAL', async () => {
    const parts = await stack.clickhouse.query<{ partition: string; name: string; level: number }>(
      sql`SELECT partition, name, level FROM system.parts WHERE database = ${stack.database} AND table = 'events' AND active ORDER BY partition, name`,
    );
    expect(parts.map((p) => p.partition)).toEqual(['202602', '202603', '202604', '202604', '202605']);
    const settled = settledMonths(parts.map((p) => ({ ...p, level: Number(p.level) })));
    expect(settled.has(202603)).toBe(true);
    expect(settled.has(202604)).toBe(false);
    // February and May hold one inserted part each: level 0 on 18.16 (read FINAL); current servers
    // deduplicate a ReplacingMergeTree block as it is inserted (optimize_on_insert) and give the part
    // level 1, which is settled there, as for their own FINAL.
  });

  it('equals the previous query on units exposed twice, window edges, units without events, replays and unknown variants, as of several instants, with in-progress units left out or in, in both shapes', async () => {
    const shapes = [new ClickHouseAnalysis(stack.clickhouse, 'union'), new ClickHouseAnalysis(stack.clickhouse, 'join')];
    for (const mode of ['exclude', 'include'] as const) {
      for (const asOfMs of [T0 + HOUR, T0 + 2 * DAY, T0 + 30 * DAY + HOUR, AS_OF, T0 + 100 * DAY]) {
        const reference = await referenceRows(query(asOfMs, KEY, mode));
        expect(reference.length, `as of ${asOfMs}, ${mode}`).toBeGreaterThan(0);
        for (const [i, shaped] of shapes.entries()) expect(await shaped.statistics(query(asOfMs, KEY, mode)), `as of ${asOfMs}, ${mode}, ${i ? 'join' : 'union'}`).toEqual(reference);
      }
    }
  });

  it('gives the planted values', async () => {
    const rows = await analysis.statistics(query(AS_OF));
    const control = byVariant(rows, 'control');
    const treatment = byVariant(rows, 'treatment');
    // u6 (exposed at the instant) and u5 (never exposed) are out; u2 counts under its first variant.
    expect([total(control, (r) => r.units), total(treatment, (r) => r.units), total(byVariant(rows, ''), (r) => r.units)]).toEqual([4, 3, 1]);
    // u10's first exposure is the last millisecond of T0's day, a day before its second.
    expect(control.map((r) => r.day)).toEqual([T0, T0 + 3 * DAY, T0 + 5 * DAY].map((t) => Math.floor(t / DAY)));
    const metric = (arm: StatisticsRow[], i: number, field: 'units' | 'sum' | 'sumOfSquares' | 'sumX' | 'sumOfProducts') => total(arm, (r) => r.metrics[i]![field]);
    // u9 (first exposed T0 + 25 days) has 27 of its 30 days: out of the two windowed metrics.
    expect([metric(control, 0, 'units'), metric(treatment, 0, 'units')]).toEqual([4, 2]);
    expect([metric(control, 1, 'units'), metric(treatment, 1, 'units')]).toEqual([4, 2]);
    expect([metric(control, 0, 'sum'), metric(treatment, 0, 'sum')]).toEqual([2, 1]); // u1 at its first ms, u8 once; u2 at the window's last ms
    expect([metric(control, 1, 'sum'), metric(treatment, 1, 'sum')]).toEqual([40, 20]);
    expect([metric(control, 1, 'sumOfSquares'), metric(treatment, 1, 'sumOfSquares')]).toEqual([10 ** 2 + 30 ** 2, 20 ** 2]);
    expect([metric(control, 1, 'sumX'), metric(treatment, 1, 'sumX')]).toEqual([9, 12]); // u10's February payment; u2's 5 + 7
    expect(metric(treatment, 1, 'sumOfProducts')).toBe(12 * 20);
    // No window: every unit, line calls until the instant.
    expect([metric(control, 2, 'units'), metric(treatment, 2, 'units')]).toEqual([4, 3]);
    expect([metric(control, 2, 'sum'), metric(treatment, 2, 'sum')]).toEqual([0, 3]);
    // u2 (treatment, then control) is the one unit exposed under two variants; u1 and u10 saw control twice.
    expect(rows.map((r) => [r.variant, r.multipleVariantUnits]).filter(([, mv]) => mv !== 0)).toEqual([['treatment', 1]]);
  });

  it('counts the units still inside their window when asked to include them', async () => {
    const rows = await analysis.statistics(query(AS_OF, KEY, 'include'));
    const [control, treatment] = [byVariant(rows, 'control'), byVariant(rows, 'treatment')];
    const metric = (arm: StatisticsRow[], i: number, field: 'units' | 'sum') => total(arm, (r) => r.metrics[i]![field]);
    expect([metric(control, 0, 'units'), metric(treatment, 0, 'units')]).toEqual([4, 3]);
    expect([metric(control, 0, 'sum'), metric(treatment, 0, 'sum')]).toEqual([2, 2]); // and u9's payment 1 h after its exposure
    expect([metric(control, 1, 'sum'), metric(treatment, 1, 'sum')]).toEqual([40, 60]);
  });

  it('skips events before the first-exposure day minus the lookback and still equals the previous query', async () => {
    // Every unit is first exposed on T0's day or later: events from T0 - 30 days on are read (u2's
    // covariate at T0 + 1 h - 30 days is the earliest that counts).
    for (const asOfMs of [T0 + 2 * DAY, AS_OF, T0 + 100 * DAY]) {
      const bounded = { ...query(asOfMs), exposuresFromMs: T0 + 5 * HOUR };
      expect(eventsLowerBoundMs(bounded)).toBe(T0 - 30 * DAY);
      expect(await analysis.statistics(bounded), `as of ${asOfMs}`).toEqual(await referenceRows(query(asOfMs)));
    }
  });

  it('reads every event again when a unit was first exposed before the promised day', async () => {
    // u1, u2, u7 and u10 are first exposed on T0's day, before T0 + 1 day: with the bound alone,
    // u2's covariate payment (T0 + 1 h - 30 days) would be skipped.
    const broken = { ...query(AS_OF), exposuresFromMs: T0 + DAY };
    const boundOnly = statisticsRows(broken, await stack.clickhouse.query<Record<string, unknown>>(sufficientStatisticsSql(broken, { settledMonths: [], fromMs: eventsLowerBoundMs(broken) })));
    expect(total(byVariant(boundOnly, 'treatment'), (r) => r.metrics[1]!.sumX)).toBe(5);
    const reference = await referenceRows(query(AS_OF));
    expect(total(byVariant(reference, 'treatment'), (r) => r.metrics[1]!.sumX)).toBe(12);
    expect(await analysis.statistics(broken)).toEqual(reference);
  });

  it('puts a unit whose first exposures share a millisecond under the lower variant position', async () => {
    const rows = await analysis.statistics(query(AS_OF, 'it-tie'));
    expect(rows.map((r) => [r.variant, r.units, r.multipleVariantUnits])).toEqual([['control', 1, 1]]);
  });

  it('changes nothing when the backfill of migration 0013 runs again', async () => {
    const before = await analysis.statistics(query(AS_OF));
    const migration = await readFile(new URL('../../../../infra/clickhouse/migrations/0013_first_exposures.sql', import.meta.url), 'utf8');
    const backfill = splitStatements(migration).at(-1)!;
    expect(backfill).toMatch(/^(--[^\n]*\n)*INSERT INTO first_exposures/);
    await stack.clickhouse.command(trustedSql(backfill));
    expect(await analysis.statistics(query(AS_OF))).toEqual(before);
  });

  it('splits every instant into exactly one of "in the settled months" and "outside them"', async () => {
    const months = [202512, 202602, 202603, 202605];
    const start = Date.UTC(2025, 9, 1) / 1000;
    const check = (condition: Sql) => sql`sum(${condition})`;
    const [row] = await stack.clickhouse.query<{ inside: string; outside: string; expected: string; n: string }>(sql`
      SELECT ${check(inMonthsSql(months))} AS inside, ${check(outsideMonthsSql(months))} AS outside,
        sum(toYYYYMM(event_time) IN (${months[0]!}, ${months[1]!}, ${months[2]!}, ${months[3]!})) AS expected, count() AS n
      FROM (SELECT toDateTime(${start} + number * 997) AS event_time FROM numbers(${Math.ceil((330 * 86_400) / 997)}))`);
    expect(Number(row!.inside)).toBe(Number(row!.expected));
    expect(Number(row!.inside) + Number(row!.outside)).toBe(Number(row!.n));
    expect(Number(row!.inside)).toBeGreaterThan(0);
  });
});
