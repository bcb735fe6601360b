import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateFeature, type FeatureValue, type TimedViewEvent } from '../../views/feature-value.js';
import type { Aggregation, FeatureDefinition, FeatureView } from '../../views/feature-view.js';
import type { OnlineEvent } from './event-match.js';
import { OnlineState } from './online-state.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 5);
const SLACK = HOUR;
const ENTITIES = ['c1', 'c2', 'c3'];

function feature(name: string, aggregation: Aggregation, windowMs: number, property?: string, valueType: FeatureDefinition['valueType'] = 'double'): FeatureDefinition {
  return { name, description: name, aggregation, windowMs, valueType, ...(property === undefined ? {} : { property }) };
}

function allAggregations(suffix: string, windowMs: number): FeatureDefinition[] {
  return [
    feature(`count_${suffix}`, 'count', windowMs, undefined, 'int64'),
    feature(`count_merchant_${suffix}`, 'count', windowMs, 'merchant', 'int64'),
    feature(`sum_${suffix}`, 'sum', windowMs, 'amount'),
    feature(`avg_${suffix}`, 'avg', windowMs, 'amount'),
    feature(`min_${suffix}`, 'min', windowMs, 'amount'),
    feature(`max_${suffix}`, 'max', windowMs, 'amount'),
    feature(`last_${suffix}`, 'last_value', windowMs, 'merchant', 'string'),
    feature(`last_amount_${suffix}`, 'last_value', windowMs, 'amount', 'double'),
    feature(`distinct_${suffix}`, 'distinct_count', windowMs, 'merchant', 'int64'),
    feature(`days_${suffix}`, 'days_since_last', windowMs, undefined, 'double'),
    feature(`days_merchant_${suffix}`, 'days_since_last', windowMs, 'merchant', 'double'),
  ];
}

/** Two views: hour buckets (windows under two days) with a filter, and day buckets. */
function viewsWith(shortWindow: number, longWindow: number, ttlMs: number): FeatureView[] {
  const base = { entity: 'customer', description: '', owner: 'test' };
  return [
    {
      ...base, name: 'payments_short', version: 1, sourceEvents: ['Payment Made', 'identify'],
      filters: [{ path: 'meta.channel', operator: 'in', values: ['app', 'web'] }],
      ttlMs, features: [...allAggregations('a', shortWindow), ...allAggregations('b', Math.max(HOUR, Math.floor(shortWindow / 3)))],
    },
    { ...base, name: 'payments_long', version: 2, sourceEvents: ['Payment Made'], filters: [], ttlMs: 3 * DAY, features: allAggregations('c', longWindow) },
  ];
}

type RawEvent = TimedViewEvent & OnlineEvent;

const eventArb = fc.record({
  entityId: fc.constantFrom(...ENTITIES),
  kind: fc.constantFrom('payment', 'payment', 'payment', 'identify', 'page'),
  offsetMs: fc.oneof(fc.integer({ min: 0, max: 10 * DAY }), fc.integer({ min: 0, max: 40 }).map((h) => h * HOUR)),
  amount: fc.oneof(fc.integer({ min: -500, max: 500 }), fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant('12'), fc.constant(null), fc.constant(undefined)),
  merchant: fc.oneof(fc.constantFrom('m1', 'm2', 'm3', '1'), fc.constantFrom(1, true), fc.constant({ id: 'm1' }), fc.constant(null), fc.constant(undefined)),
  channel: fc.oneof(fc.constantFrom('app', 'web', 'branch'), fc.constant(undefined)),
});

type RawInput = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

function toEvents(raw: RawInput[]): RawEvent[] {
  return raw.map((e, seq) => {
    const properties: Record<string, unknown> = { meta: e.channel === undefined ? {} : { channel: e.channel } };
    if (e.amount !== undefined) properties['amount'] = e.amount;
    if (e.merchant !== undefined) properties['merchant'] = e.merchant;
    return {
      // Arrival order and messageId order agree, so both tie-breaks of last_value pick the same event.
      messageId: String(seq).padStart(6, '0'),
      entityId: e.entityId,
      type: e.kind === 'payment' ? 'track' : e.kind,
      event: e.kind === 'payment' ? 'Payment Made' : '',
      timeMs: T0 + e.offsetMs,
      eventTimeMs: T0 + e.offsetMs,
      properties,
    };
  });
}

function expectSame(actual: FeatureValue, expected: FeatureValue, context: string): void {
  if (typeof expected.value === 'number' && typeof actual.value === 'number') {
    const scale = Math.max(1, Math.abs(expected.value));
    expect(Math.abs(actual.value - expected.value) / scale, context).toBeLessThan(1e-9);
    expect({ ...actual, value: 0 }, context).toEqual({ ...expected, value: 0 });
  } else {
    expect(actual, context).toEqual(expected);
  }
}

function checkAll(state: OnlineState, views: FeatureView[], events: RawEvent[], instants: number[]): void {
  for (const view of views) {
    const { resolved, unknown } = state.resolve(view.features.map((f) => ({ featureView: view.name, feature: f.name, version: view.version })));
    expect(unknown).toEqual([]);
    for (const t of instants) {
      const rows = state.read(resolved, [...ENTITIES, 'nobody'], t);
      rows.forEach((row, r) => {
        const entityId = [...ENTITIES, 'nobody'][r]!;
        const own = events.filter((e) => e.entityId === entityId);
        row.forEach((value, f) => {
          const definition = view.features[f]!;
          expectSame(value, evaluateFeature(view, definition, own, t), `${view.name}.${definition.name} ${entityId} @+${t - T0}ms`);
        });
      });
    }
  }
}

const windowsArb = fc.record({
  shortWindow: fc.oneof(fc.integer({ min: HOUR / 2, max: 2 * DAY - 1 }), fc.constantFrom(HOUR, 6 * HOUR, DAY)),
  longWindow: fc.oneof(fc.integer({ min: 2 * DAY, max: 9 * DAY }), fc.constantFrom(2 * DAY, 7 * DAY)),
  ttlMs: fc.integer({ min: HOUR, max: 5 * DAY }),
});

describe('OnlineState equals the feature definition computed event by event', () => {
  it('for random event streams (any arrival order) and random read instants', () => {
    fc.assert(
      fc.property(
        windowsArb,
        fc.array(eventArb, { maxLength: 120 }),
        fc.array(fc.oneof(fc.integer({ min: -DAY, max: 12 * DAY }), fc.integer({ min: 0, max: 300 }).map((h) => h * HOUR)), { minLength: 1, maxLength: 6 }),
        ({ shortWindow, longWindow, ttlMs }, raw, readOffsets) => {
          const views = viewsWith(shortWindow, longWindow, ttlMs);
          const events = toEvents(raw);
          const state = new OnlineState(views, { retentionSlackMs: SLACK });
          for (const event of events) state.apply(event, T0);
          // Reads exactly at and just after event times hit the window edges.
          const edges = events.slice(0, 4).flatMap((e) => [e.timeMs, e.timeMs + 1, e.timeMs + shortWindow, e.timeMs + shortWindow + 1]);
          checkAll(state, views, events, [...readOffsets.map((offset) => T0 + offset), ...edges]);
        },
      ),
      { numRuns: 200 },
    );
  }, 60_000);

  it('after a sweep, for reads no older than the retention slack', () => {
    fc.assert(
      fc.property(
        windowsArb,
        fc.array(eventArb, { maxLength: 120 }),
        fc.integer({ min: 0, max: 10 * DAY }),
        fc.array(fc.integer({ min: -SLACK, max: 2 * DAY }), { minLength: 1, maxLength: 4 }),
        ({ shortWindow, longWindow, ttlMs }, raw, nowOffset, readOffsets) => {
          const views = viewsWith(shortWindow, longWindow, ttlMs);
          const events = toEvents(raw);
          const now = T0 + nowOffset;
          const state = new OnlineState(views, { retentionSlackMs: SLACK });
          // Events arrive while the clock stands at `now`: those past every window are not kept.
          for (const event of events) state.apply(event, now);
          state.sweep(now);
          checkAll(state, views, events, readOffsets.map((offset) => now + offset));
          // An entity is kept exactly while one of its buckets can still reach a window.
          const kept = ENTITIES.filter((id) =>
            views.some((view) => {
              const maxWindow = Math.max(...view.features.map((f) => f.windowMs));
              return state.layouts.some(
                (layout) =>
                  layout.view === view &&
                  events.some(
                    (e) => e.entityId === id && layout.matches(e) && e.timeMs > now - maxWindow - SLACK && Math.floor(e.timeMs / layout.bucketMs) * layout.bucketMs + layout.bucketMs > now - maxWindow - SLACK,
                  ),
              );
            }),
          );
          expect(state.entityCount).toBe(kept.length);
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);
});

describe('OnlineState with busy buckets', () => {
  it('equals the definition when buckets carry headers and overflow into a second record', () => {
    const views = viewsWith(6 * HOUR, 2 * DAY, DAY);
    const raw = Array.from({ length: 5_000 }, (_, i) => ({
      entityId: 'c1',
      kind: i % 7 === 0 ? 'identify' : 'payment',
      offsetMs: DAY + ((i * 7919) % HOUR),
      amount: i % 11 === 0 ? undefined : (i * 31) % 997,
      merchant: i % 5 === 0 ? null : `m${i % 13}`,
      channel: i % 3 === 0 ? 'branch' : 'app',
    }));
    const events = toEvents(raw as RawInput[]);
    const state = new OnlineState(views, { retentionSlackMs: SLACK });
    for (const event of events) state.apply(event, T0);
    checkAll(state, views, events, [T0 + DAY + 1, T0 + DAY + HOUR / 2, T0 + DAY + HOUR, T0 + DAY + 3 * HOUR, T0 + 2 * DAY + HOUR / 3]);
  }, 60_000);
});
