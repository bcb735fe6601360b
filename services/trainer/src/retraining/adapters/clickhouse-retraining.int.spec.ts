import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ClickHouseClient, dateTimeText, ident, sql } from '@kuroshio/clickhouse';
import { durationFromMs, grpcNest } from '@kuroshio/contracts';
import { createLogger } from '@kuroshio/telemetry';
import { stackEndpoints, uniqueName } from '@kuroshio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseRetrainingLog } from './clickhouse-retraining-log.js';
import { ClickHouseRetrainingSources } from './clickhouse-retraining-sources.js';

// The warehouse side of retraining on the real ClickHouse (18.16 locally): anchor counts with
// filters and bounds, replayed rows counted once, deterministic prediction samples, and the
// retraining log as the migration defines it.

const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
const database = uniqueName('it_retraining', '_');
const logger = createLogger({ service: 'retraining-it', level: 'warn' });
const clickhouse = new ClickHouseClient({ ...stackEndpoints().clickhouse, database, logger });
const sources = new ClickHouseRetrainingSources(clickhouse);
const T0 = Date.UTC(2026, 5, 1);
const HOUR = 3_600_000;

function event(id: string, customer: string, name: string, timeMs: number, properties: Record<string, unknown>) {
  return {
    message_id: id,
    tenant: 'it',
    source: 'it',
    channel: 'app',
    type: 'track',
    event: name,
    customer_id: customer,
    user_id: customer,
    anonymous_id: '',
    event_time: dateTimeText(new Date(timeMs)),
    event_time_ms: timeMs,
    received_at: dateTimeText(new Date(timeMs)),
    properties: JSON.stringify(properties),
    context: '{}',
    traits: '{}',
    schema_version: 1,
  };
}

function prediction(request: string, entity: string, version: number, score: number, servedAtMs: number) {
  return {
    request_id: request,
    entity_id: entity,
    model_name: 'upsell',
    model_version: version,
    artifact: 'full',
    experiment_key: '',
    variant: '',
    score,
    scores: [score],
    latency_ms: 1,
    feature_vector_hash: '',
    served_at: dateTimeText(new Date(servedAtMs)),
    served_at_ms: servedAtMs,
  };
}

beforeAll(async () => {
  await promisify(execFile)('npx', ['tsc', '-b', 'libs/clickhouse'], { cwd: repoRoot });
  await promisify(execFile)(process.execPath, ['libs/clickhouse/dist/cli/migrate.js'], { cwd: repoRoot, env: { ...process.env, CLICKHOUSE_DATABASE: database } });
  await clickhouse.insert('events', [
    event('a1', 'c1', 'Plan Offer', T0, { plan: 'unlimited', price: 30 }), // at the lower bound: excluded
    event('a2', 'c1', 'Plan Offer', T0 + HOUR, { plan: 'unlimited', price: 30 }),
    event('a3', 'c2', 'Plan Offer', T0 + 2 * HOUR, { plan: 'basic', price: 10 }),
    event('a4', 'c3', 'Plan Offer', T0 + 3 * HOUR, { plan: 'unlimited', price: 50 }), // at the upper bound: included
    event('a5', 'c3', 'Plan Offer', T0 + 4 * HOUR, { plan: 'unlimited', price: 50 }), // after it
    event('o1', 'c1', 'Plan Upgrade', T0 + 2 * HOUR, { plan: 'unlimited' }),
  ]);
  // A replay of a2: the same row again, to be counted once.
  await clickhouse.insert('events', [event('a2', 'c1', 'Plan Offer', T0 + HOUR, { plan: 'unlimited', price: 30 })]);
  await clickhouse.insert('predictions', [
    ...Array.from({ length: 30 }, (_, i) => prediction(`r${i}`, `e${i % 10}`, 2, i / 30, T0 + i * 1_000)),
    prediction('r-old', 'e-old', 2, 0.5, T0 - HOUR),
    prediction('r-other', 'e-other', 3, 0.5, T0 + 5_000),
    prediction('r-anon', '', 2, 0.5, T0 + 5_000),
  ]);
  await clickhouse.insert('predictions', [prediction('r0', 'e0', 2, 0, T0)]);
});

afterAll(async () => {
  await clickhouse.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`).catch(() => undefined);
  await clickhouse.close();
});

const label = (filters: grpcNest.common.v1.PropertyFilter[] = []): grpcNest.features.v1.EventLabel => ({
  anchorEvent: 'Plan Offer',
  anchorFilters: filters,
  outcomeEvent: 'Plan Upgrade',
  correlationProperty: '',
  deadlineProperty: '',
  outcomeWindow: durationFromMs(HOUR),
  positiveWhen: grpcNest.features.v1.LabelPolarity.LABEL_POLARITY_OUTCOME_PRESENT,
});
const Op = grpcNest.common.v1.FilterOperator;

describe('retraining reads of the warehouse', () => {
  it('counts anchor events after the lower bound up to and including the upper, each once', async () => {
    expect(await sources.countAnchors(label(), T0, T0 + 3 * HOUR)).toBe(3);
    expect(await sources.countAnchors(label(), T0 - 1, T0 + 10 * HOUR)).toBe(5);
    expect(await sources.countAnchors(label(), T0 + 10 * HOUR, T0 + 20 * HOUR)).toBe(0);
  });

  it('applies the label’s anchor filters with the shared property-filter SQL', async () => {
    const unlimited = { path: 'plan', operator: Op.FILTER_OPERATOR_EQUALS, values: [{ stringValue: 'unlimited' }] };
    const expensive = { path: 'price', operator: Op.FILTER_OPERATOR_GREATER_THAN, values: [{ doubleValue: 40 }] };
    expect(await sources.countAnchors(label([unlimited]), T0 - 1, T0 + 10 * HOUR)).toBe(4);
    expect(await sources.countAnchors(label([unlimited, expensive]), T0 - 1, T0 + 10 * HOUR)).toBe(2);
    await expect(sources.countAnchors(label([{ path: 'plan', operator: Op.FILTER_OPERATOR_UNSPECIFIED, values: [] }]), 0, 1)).rejects.toThrow(/no usable operator/);
  });

  it('samples the distinct entities a version served since a time, the same sample every time', async () => {
    const all = await sources.servedEntities('upsell', 2, T0, 100);
    expect([...all].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`).sort());
    const sample = await sources.servedEntities('upsell', 2, T0, 4);
    expect(sample).toHaveLength(4);
    expect(await sources.servedEntities('upsell', 2, T0, 4)).toEqual(sample);
    expect(all.slice(0, 4)).toEqual(sample);
    expect(await sources.servedEntities('upsell', 2, T0 + 30_000, 100)).toEqual([]);
  });

  it('reads each served prediction’s score once (a replayed prediction is folded)', async () => {
    const scores = await sources.servedScores('upsell', 2, T0, 1_000);
    // 30 predictions plus the anonymous one; r0 was landed twice.
    expect(scores).toHaveLength(31);
    expect([...scores].sort((a, b) => a - b)[0]).toBe(0);
    expect(await sources.servedScores('upsell', 2, T0, 5)).toEqual((await sources.servedScores('upsell', 2, T0, 1_000)).slice(0, 5));
  });

  it('appends retraining log rows that read back with their step order and JSON details', async () => {
    const log = new ClickHouseRetrainingLog(clickhouse);
    const base = { runId: 'run-1', actor: 'retraining', modelName: 'upsell', championVersion: 1, challengerVersion: 2, trainingJobId: 'tj-1', experimentKey: 'retrain-upsell-v2' };
    await log.append({ ...base, eventId: 'e1', stepNumber: 1, timeMs: T0, step: 'triggers_checked', decision: 'retrain', reason: 'feature_drift: PSI >= 0.2 — “drifted”', details: { triggers: [{ psi: 0.31, value: Number.POSITIVE_INFINITY }] } });
    await log.append({ ...base, eventId: 'e2', stepNumber: 2, timeMs: T0, step: 'challenger_trained', decision: '', reason: "it's 'quoted'", details: {} });
    const rows = await clickhouse.query<{ step: string; step_number: number; time: string; time_ms: string; reason: string; details: string }>(
      sql`SELECT step, step_number, toString(time) AS time, toString(time_ms) AS time_ms, reason, details FROM retraining_log WHERE run_id = 'run-1' ORDER BY step_number`,
    );
    expect(rows.map((r) => [r.step, Number(r.step_number), r.time, Number(r.time_ms)])).toEqual([
      ['triggers_checked', 1, '2026-06-01 00:00:00', T0],
      ['challenger_trained', 2, '2026-06-01 00:00:00', T0],
    ]);
    expect(rows[0]!.reason).toBe('feature_drift: PSI >= 0.2 — “drifted”');
    expect(JSON.parse(rows[0]!.details)).toEqual({ triggers: [{ psi: 0.31, value: 'Infinity' }] });
    expect(rows[1]!.reason).toBe("it's 'quoted'");
  });
});
