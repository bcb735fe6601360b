import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asViewEvent, createTestWarehouse, type TestEvent, type TestWarehouse } from '../testing/warehouse-events.js';
import { chargesView, DAY_MS, HOUR_MS, pagesView, resolveAll } from '../testing/test-views.js';
import { evaluateFeature, type FeatureValue } from '../views/feature-value.js';
import type { ResolvedFeature } from '../views/feature-view-registry.js';
import { labelRowSet, type LabelRow } from './label-rows.js';
import { createLabelTable, dropLabelTable } from './label-table.js';
import { aggregateRange, chunkRanges, featureValueAt } from './point-in-time-engine.js';

let warehouse: TestWarehouse;

beforeAll(async () => {
  warehouse = await createTestWarehouse('it_fs_pit');
});
afterAll(async () => {
  await warehouse?.drop();
});

const T = Date.parse('2026-11-20T12:00:00.000Z');
const features = resolveAll(chargesView, pagesView);

/** Offline values of every feature for the rows, by running the engine over `table` in chunks of `chunkRows`. */
async function offlineValues(table: string, rows: readonly LabelRow[], chunkRows = 1000): Promise<{ rows: LabelRow[]; values: FeatureValue[][] }> {
  const set = labelRowSet(rows);
  const labels = `labels_${Math.random().toString(36).slice(2, 10)}`;
  await createLabelTable(warehouse.clickhouse, labels, set);
  try {
    const values: FeatureValue[][] = [];
    for (const range of chunkRanges(set, chunkRows)) {
      const aggregates = await aggregateRange(warehouse.clickhouse, { table, final: true }, labels, range, features);
      for (let row = range.from; row < range.to; row++) {
        values.push(features.map((resolved, position) => featureValueAt(resolved, aggregates[position]!, row - range.from, set.labelTimesMs[row]!)));
      }
    }
    const ordered = set.entityIds.map((entityId, row) => ({ entityId, labelTimeMs: set.labelTimesMs[row]!, label: set.labels[row]! }));
    return { rows: ordered, values };
  } finally {
    await dropLabelTable(warehouse.clickhouse, labels);
  }
}

function valueOf(values: FeatureValue[], name: string): FeatureValue {
  const index = features.findIndex((resolved: ResolvedFeature) => resolved.feature.name === name);
  return values[index]!;
}

const charge = (messageId: string, customerId: string, timeMs: number, amount: number, merchant: string, currency = 'TWD'): TestEvent => ({
  messageId,
  customerId,
  event: 'Carrier Billing Charge',
  timeMs,
  properties: { chargeId: messageId, amount, currency, merchant, dueDate: '2026-12-20' },
});

describe('point-in-time features in ClickHouse', () => {
  it('ignores events planted at and just after the label time, counts a replayed event once, and applies filters', async () => {
    const table = await warehouse.freshEventsTable();
    const past = [
      charge('c1-early', 'c1', T - 6 * DAY_MS, 7, 'Old'),
      charge('c1-a', 'c1', T - 2 * DAY_MS, 100, 'A'),
      charge('c1-b', 'c1', T - HOUR_MS, 50, 'B'),
      charge('c1-usd', 'c1', T - HOUR_MS, 99_999, 'Elsewhere', 'USD'),
      { messageId: 'p1', customerId: 'c1', type: 'page', timeMs: T - DAY_MS, properties: { path: '/home' } },
      { messageId: 'p2', customerId: 'c1', type: 'page', timeMs: T - HOUR_MS, properties: { path: '/logout' } },
    ];
    const planted = [
      charge('leak-at', 'c1', T, 10_000, 'LEAK-AT'),
      charge('leak-after', 'c1', T + 1, 20_000, 'LEAK-AFTER'),
      charge('leak-day', 'c1', T + DAY_MS, 30_000, 'LEAK-DAY'),
      { messageId: 'p-leak', customerId: 'c1', type: 'page', timeMs: T, properties: { path: '/leak' } },
    ];
    await warehouse.insertEvents(table, [...past, ...planted]);
    // A replay: the ETL wrote the same event again in a later batch.
    await warehouse.insertEvents(table, [past[2]!]);

    const { rows, values } = await offlineValues(table, [
      { entityId: 'c1', labelTimeMs: T, label: 1 },
      { entityId: 'c1', labelTimeMs: T - 2 * DAY_MS, label: 0 },
      { entityId: 'c1', labelTimeMs: T + DAY_MS + 1, label: 0 },
      { entityId: 'nobody', labelTimeMs: T, label: 0 },
    ]);
    expect(rows.map((row) => row.labelTimeMs)).toEqual([T - 2 * DAY_MS, T, T + DAY_MS + 1, T]);
    const atT = values[1]!;
    const present = (value: number | string) => ({ status: 'present', value });
    expect(valueOf(atT, 'count_1d')).toMatchObject(present(1));
    expect(valueOf(atT, 'count_7d')).toMatchObject(present(3));
    expect(valueOf(atT, 'amount_sum_7d')).toMatchObject(present(157));
    expect(valueOf(atT, 'amount_avg_7d').value).toBeCloseTo(157 / 3, 12);
    expect(valueOf(atT, 'amount_min_7d')).toMatchObject(present(7));
    expect(valueOf(atT, 'amount_max_7d')).toMatchObject(present(100));
    expect(valueOf(atT, 'last_amount_7d')).toMatchObject(present(50));
    expect(valueOf(atT, 'last_merchant_7d')).toMatchObject(present('B'));
    expect(valueOf(atT, 'merchants_7d')).toMatchObject(present(3));
    expect(valueOf(atT, 'days_since_charge')).toMatchObject(present(1 / 24));
    expect(valueOf(atT, 'days_since_charge').eventTimeMs).toBe(T - HOUR_MS);
    expect(valueOf(atT, 'tagged_count_7d').status).toBe('not_found');
    expect(valueOf(atT, 'page_count_3d')).toMatchObject(present(1));

    // Exactly at an event's instant, that event is not yet visible either.
    const atA = values[0]!;
    expect(valueOf(atA, 'count_7d')).toMatchObject(present(1));
    expect(valueOf(atA, 'amount_sum_7d')).toMatchObject(present(7));

    // After the planted events they do count, so the SQL did see them and only the time kept them out.
    const later = values[2]!;
    expect(valueOf(later, 'count_7d')).toMatchObject(present(5));
    expect(valueOf(later, 'amount_max_7d')).toMatchObject(present(30_000));
    expect(valueOf(later, 'last_merchant_7d')).toMatchObject(present('LEAK-DAY'));

    expect(values[3]!.every((value) => value.status === 'not_found')).toBe(true);
  });

  it('reports values whose latest event is older than the TTL as expired', async () => {
    const table = await warehouse.freshEventsTable();
    await warehouse.insertEvents(table, [charge('old', 'c2', T - 6 * DAY_MS, 40, 'A')]);
    const { values } = await offlineValues(table, [{ entityId: 'c2', labelTimeMs: T, label: 0 }]);
    expect(valueOf(values[0]!, 'count_7d')).toEqual({ status: 'expired', value: null, eventTimeMs: T - 6 * DAY_MS });
    expect(valueOf(values[0]!, 'count_1d').status).toBe('not_found');
    expect(valueOf(values[0]!, 'days_since_charge').status).toBe('expired');
  });

  it('matches the event-by-event definition on random small data (fast-check)', async () => {
    const customers = ['a', 'b', 'c'];
    // Times on a coarse grid, so that events share instants with each other and with label rows.
    const time = fc.integer({ min: -30, max: 2 }).map((step) => T + step * 6 * HOUR_MS);
    const property = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 4 });
    const eventArb = fc.record({
      customerId: fc.constantFrom(...customers),
      kind: fc.constantFrom('charge', 'charge', 'page', 'other'),
      timeMs: time,
      amount: property(fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 4000 }).map((n) => n / 4), fc.constant('12'))),
      merchant: property(fc.constantFrom('m1', 'm2', 'm3', 'ü"\\m')),
      currency: fc.constantFrom('TWD', 'TWD', 'TWD', 'USD'),
      tag: property(fc.constantFrom('x', 'y')),
      path: fc.constantFrom('/a', '/b', '/logout'),
      replayed: fc.boolean(),
    });
    const labelArb = fc.record({ entityId: fc.constantFrom(...customers, 'z'), labelTimeMs: time, label: fc.constant(0) });
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb, { maxLength: 40 }), fc.array(labelArb, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 12 }), async (drawn, labels, chunkRows) => {
        const events: TestEvent[] = drawn.map((event, index) => {
          const messageId = `m${String(index).padStart(3, '0')}`;
          if (event.kind === 'page') return { messageId, customerId: event.customerId, type: 'page', timeMs: event.timeMs, properties: { path: event.path } };
          const properties: Record<string, unknown> = { currency: event.currency };
          if (event.amount !== undefined) properties['amount'] = event.amount;
          if (event.merchant !== undefined) properties['merchant'] = event.merchant;
          if (event.tag !== undefined) properties['meta'] = { tag: event.tag };
          return { messageId, customerId: event.customerId, event: event.kind === 'charge' ? 'Carrier Billing Charge' : 'Other Thing', timeMs: event.timeMs, properties };
        });
        const table = await warehouse.freshEventsTable('events_prop');
        await warehouse.insertEvents(table, events);
        const replays = events.filter((_, index) => drawn[index]!.replayed);
        if (replays.length > 0) await warehouse.insertEvents(table, replays);

        const { rows, values } = await offlineValues(table, labels, chunkRows);
        rows.forEach((row, index) => {
          const own = events.filter((event) => event.customerId === row.entityId).map(asViewEvent);
          features.forEach((resolved, position) => {
            const expected = evaluateFeature(resolved.view, resolved.feature, own, row.labelTimeMs);
            const actual = values[index]![position]!;
            const where = `${row.entityId}@${row.labelTimeMs - T} ${resolved.feature.name}`;
            expect(actual.status, where).toBe(expected.status);
            expect(actual.eventTimeMs, where).toBe(expected.eventTimeMs);
            if (typeof expected.value === 'number') expect(actual.value, where).toBeCloseTo(expected.value, 9);
            else expect(actual.value, where).toBe(expected.value);
          });
        });
      }),
      { numRuns: 30 },
    );
  });
});
