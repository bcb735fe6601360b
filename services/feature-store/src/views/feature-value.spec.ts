import { describe, expect, it } from 'vitest';
import { chargesView, DAY_MS, HOUR_MS } from '../testing/test-views.js';
import { eventMatchesView, filterHolds, propertyAt } from './event-matching.js';
import type { FeatureDefinition } from './feature-view.js';
import { evaluateFeature, finishedScalar, finishFeatureValue, type TimedViewEvent } from './feature-value.js';

const T = Date.parse('2026-11-20T00:00:00Z');
const feature = (name: string): FeatureDefinition => chargesView.features.find((candidate) => candidate.name === name)!;
const charge = (messageId: string, eventTimeMs: number, properties: Record<string, unknown>): TimedViewEvent => ({
  messageId,
  eventTimeMs,
  type: 'track',
  event: 'Carrier Billing Charge',
  properties: { currency: 'TWD', ...properties },
});

describe('the feature definition, event by event', () => {
  it('windows are [asOf - window, asOf): an event exactly at asOf is out, one exactly a window before is in', () => {
    const events = [charge('a', T - DAY_MS, { amount: 1 }), charge('b', T, { amount: 2 }), charge('c', T - DAY_MS - 1, { amount: 4 })];
    expect(evaluateFeature(chargesView, feature('count_1d'), events, T)).toEqual({ status: 'present', value: 1, eventTimeMs: T - DAY_MS });
  });

  it('last_value breaks ties on the instant by the greater messageId; string last_value ignores non-strings', () => {
    const events = [charge('m2', T - HOUR_MS, { merchant: 'B', amount: 3 }), charge('m1', T - HOUR_MS, { merchant: 'A', amount: 5 }), charge('m3', T - 1, { merchant: 7 })];
    expect(evaluateFeature(chargesView, feature('last_merchant_7d'), events, T).value).toBe('B');
    expect(evaluateFeature(chargesView, feature('last_amount_7d'), events, T).value).toBe(3);
    expect(evaluateFeature(chargesView, feature('merchants_7d'), events, T).value).toBe(3);
  });

  it('an expired value keeps the time of its latest event; a count with nothing in the window is NOT_FOUND', () => {
    const events = [charge('a', T - 6 * DAY_MS, { amount: 1 })];
    expect(evaluateFeature(chargesView, feature('count_7d'), events, T)).toEqual({ status: 'expired', value: null, eventTimeMs: T - 6 * DAY_MS });
    expect(evaluateFeature(chargesView, feature('count_1d'), events, T)).toEqual({ status: 'not_found', value: null, eventTimeMs: null });
  });

  it('finishedScalar is finishFeatureValue without the status', () => {
    for (const [count, lastMs] of [[0, 0], [2, T - HOUR_MS], [1, T - 10 * DAY_MS]] as const) {
      for (const name of ['count_7d', 'days_since_charge', 'amount_sum_7d']) {
        const f = feature(name);
        expect(finishedScalar(f, chargesView.ttlMs, T, count, lastMs, 42)).toBe(finishFeatureValue(f, chargesView.ttlMs, T, { count, lastMs, value: 42 }).value);
      }
    }
  });
});

describe('event matching', () => {
  it('reads dotted paths of objects only', () => {
    expect(propertyAt({ a: { b: 1 } }, 'a.b')).toBe(1);
    expect(propertyAt({ a: [{ b: 1 }] }, 'a.b')).toBeUndefined();
    expect(propertyAt({ a: null }, 'a.b')).toBeUndefined();
  });

  it('compares like JSON types only, and treats a missing property as failing all but the negative operators', () => {
    expect(filterHolds({ path: 'x', operator: 'equals', values: [1] }, { x: '1' })).toBe(false);
    expect(filterHolds({ path: 'x', operator: 'not_equals', values: [1] }, {})).toBe(true);
    expect(filterHolds({ path: 'x', operator: 'not_in', values: ['a'] }, {})).toBe(true);
    expect(filterHolds({ path: 'x', operator: 'greater_than', values: [1] }, {})).toBe(false);
    expect(filterHolds({ path: 'x', operator: 'less_than_or_equal', values: ['b'] }, { x: 'a' })).toBe(true);
    expect(filterHolds({ path: 'x', operator: 'exists', values: [] }, { x: null })).toBe(false);
    expect(filterHolds({ path: 'x', operator: 'not_exists', values: [] }, { x: null })).toBe(true);
  });

  it('matches non-track calls by their type and track calls by their event name', () => {
    const view = { sourceEvents: ['page', 'Carrier Billing Charge'], filters: [] };
    expect(eventMatchesView(view, { type: 'page', event: '', properties: {} })).toBe(true);
    expect(eventMatchesView(view, { type: 'track', event: 'page', properties: {} })).toBe(true);
    expect(eventMatchesView(view, { type: 'screen', event: '', properties: {} })).toBe(false);
  });
});
