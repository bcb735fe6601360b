import { DomainError } from '@kuroshio/service-kit';
import { describe, expect, it } from 'vitest';
import { chargesView, DAY_MS } from '../testing/test-views.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot/state-snapshot.js';
import { CatchUp } from './ingest/catch-up.js';
import { OnlineReads } from './online-reads.js';
import { OnlineState } from './state/online-state.js';

const T = Date.UTC(2026, 2, 1);
const limits = { maxEntitiesPerRequest: 3, maxValuesPerRequest: 100 };

function stateWithCharges(): OnlineState {
  const state = new OnlineState([chargesView], { retentionSlackMs: 0 });
  for (let i = 0; i < 50; i += 1) {
    state.apply(
      { entityId: `c${i % 5}`, type: 'track', event: 'Carrier Billing Charge', timeMs: T - i * 3_600_000, properties: { currency: 'TWD', amount: i, merchant: `m${i % 3}` } },
      T,
    );
  }
  return state;
}

function thrown(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

const ref = (feature: string, version = 1) => ({ featureView: chargesView.name, feature, version });

describe('OnlineReads', () => {
  it('lists every unknown view, version and feature at once', () => {
    const reads = new OnlineReads(stateWithCharges, limits, () => true);
    const error = thrown(() => reads.read([ref('count_1d'), ref('nope'), ref('count_1d', 9), { featureView: 'ghost', feature: 'x', version: 0 }], ['c1'], T));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.details).toEqual({ unknown: ['test_charges@1.nope', 'test_charges@9.count_1d', 'ghost@current.x'] });
  });

  it('refuses too many entities, and answers UNAVAILABLE (after validation) until caught up', () => {
    expect(thrown(() => new OnlineReads(stateWithCharges, limits, () => true).read([ref('count_1d')], ['a', 'b', 'c', 'd'], T)).reason).toBe('too_many_entities');
    expect(thrown(() => new OnlineReads(stateWithCharges, limits, () => false).read([ref('count_1d')], ['c1'], T)).code).toBe('UNAVAILABLE');
    expect(thrown(() => new OnlineReads(stateWithCharges, limits, () => false).read([ref('nope')], ['c1'], T)).code).toBe('INVALID_ARGUMENT');
  });

  it('pins version 0 to the current version and answers NOT_FOUND for unknown entities', () => {
    const result = new OnlineReads(stateWithCharges, limits, () => true).read([ref('count_1d', 0)], ['c1', 'stranger'], T);
    expect(result.features).toEqual([ref('count_1d', 1)]);
    expect(result.rows[0]![0]).toMatchObject({ status: 'present', value: 5 });
    expect(result.rows[1]![0]).toEqual({ status: 'not_found', value: null, eventTimeMs: null });
  });

  it('answers UNAVAILABLE, listing them, for features whose window reaches before the state is complete', () => {
    const completeFrom = T - 3 * DAY_MS;
    const reads = new OnlineReads(stateWithCharges, limits, () => true, () => completeFrom);
    expect(reads.read([ref('count_1d')], ['c1'], T).rows[0]![0]).toMatchObject({ status: 'present', value: 5 });
    const error = thrown(() => reads.read([ref('count_1d'), ref('count_7d'), ref('days_since_charge')], ['c1'], T));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.reason).toBe('online_state_incomplete');
    expect(error.details).toEqual({
      completeFrom: new Date(completeFrom).toISOString(),
      features: [
        { feature: 'test_charges@1.count_7d', availableFrom: new Date(completeFrom + 7 * DAY_MS).toISOString() },
        { feature: 'test_charges@1.days_since_charge', availableFrom: new Date(completeFrom + 30 * DAY_MS).toISOString() },
      ],
    });
    // A window starting exactly at the coverage holds every event.
    expect(reads.read([ref('count_7d')], ['c1'], completeFrom + 7 * DAY_MS).rows).toHaveLength(1);
  });
});

describe('state snapshots', () => {
  it('restore to a state that reads the same and keeps accepting events', () => {
    const state = stateWithCharges();
    const offsets = { '0': '51', '3': '7' };
    const buffer = encodeSnapshot(state, 'topic', offsets, T);
    const { state: restored, header } = decodeSnapshot(buffer, [chargesView], { retentionSlackMs: 0 });
    expect(header.offsets).toEqual(offsets);
    const { resolved } = state.resolve(chargesView.features.map((f) => ref(f.name)));
    const entities = ['c0', 'c1', 'c2', 'c3', 'c4', 'other'];
    for (const asOf of [T, T + 1, T - DAY_MS, T + 6 * DAY_MS]) expect(restored.read(resolved, entities, asOf)).toEqual(state.read(resolved, entities, asOf));
    const late = { entityId: 'c9', type: 'track', event: 'Carrier Billing Charge', timeMs: T - 5, properties: { currency: 'TWD', amount: 3 } };
    state.apply(late, T);
    restored.apply(late, T);
    expect(restored.read(resolved, ['c9'], T)).toEqual(state.read(resolved, ['c9'], T));
  });

  it('are refused for other view definitions', () => {
    const buffer = encodeSnapshot(stateWithCharges(), 'topic', {}, T);
    expect(() => decodeSnapshot(buffer, [{ ...chargesView, ttlMs: 1 }], { retentionSlackMs: 0 })).toThrow(/other feature view definitions/);
  });
});

describe('CatchUp', () => {
  it('is caught up once every partition reached the end offset seen at start, and stays so', () => {
    const catchUp = new CatchUp(
      new Map([
        [0, 5n],
        [1, 0n],
      ]),
      new Map([
        [0, 10n],
        [1, 0n],
      ]),
    );
    expect(catchUp.caughtUp).toBe(false);
    expect(catchUp.remaining()).toBe(5n);
    catchUp.advance(0, 10n);
    expect(catchUp.caughtUp).toBe(true);
    expect(catchUp.offsets()).toEqual({ '0': '10', '1': '0' });
  });
});
