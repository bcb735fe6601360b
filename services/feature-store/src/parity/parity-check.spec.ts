import { describe, expect, it } from 'vitest';
import { chargesView, resolveAll } from '../testing/test-views.js';
import type { FeatureValue } from '../views/feature-value.js';
import type { ResolvedFeature } from '../views/feature-view-registry.js';
import { checkParity, sameFeatureValue, type OfflineFeatureReader } from './parity-check.js';
import type { OnlineFeatureReader } from './online-feature-reader.js';

const features = resolveAll(chargesView).slice(0, 2);
const present = (value: number | string): FeatureValue => ({ status: 'present', value, eventTimeMs: 1 });
const missing: FeatureValue = { status: 'not_found', value: null, eventTimeMs: null };

function offlineReader(values: Record<string, FeatureValue[]>, sample: string[] = []): OfflineFeatureReader & { asked: number[] } {
  const asked: number[] = [];
  return {
    asked,
    read: async (_features: readonly ResolvedFeature[], entityIds: readonly string[], asOfMs: number) => {
      asked.push(asOfMs);
      return entityIds.map((id) => values[id]!);
    },
    sample: async () => sample,
  };
}
const onlineReader = (values: Record<string, FeatureValue[]>): OnlineFeatureReader & { asked: number[] } => {
  const asked: number[] = [];
  return {
    asked,
    read: async (_refs, entityIds, asOfMs) => {
      asked.push(asOfMs);
      return entityIds.map((id) => values[id]!);
    },
  };
};

describe('parity check', () => {
  it('compares status and value, numbers within the tolerance', () => {
    expect(sameFeatureValue(present(1), present(1.0005), 0.001)).toBe(true);
    expect(sameFeatureValue(present(1), present(1.01), 0.001)).toBe(false);
    expect(sameFeatureValue(present('a'), present('a'), 0)).toBe(true);
    expect(sameFeatureValue(present(0), missing, 10)).toBe(false);
    expect(sameFeatureValue({ status: 'expired', value: null, eventTimeMs: 5 }, { status: 'expired', value: null, eventTimeMs: 9 }, 0)).toBe(true);
  });

  it('asks both sides at the same instant and reports every value that differs', async () => {
    const offline = offlineReader({ a: [present(2), present(10)], b: [missing, present(3)] });
    const online = onlineReader({ a: [present(2), present(10.5)], b: [present(0), present(3)] });
    const report = await checkParity({ features, entityIds: ['a', 'b', 'a'], sampleSize: 0, tolerance: 0.1 }, { offline, online }, 1234);
    expect(offline.asked).toEqual([1234]);
    expect(online.asked).toEqual([1234]);
    expect(report).toMatchObject({ asOfMs: 1234, entitiesChecked: 2, valuesCompared: 4 });
    expect(report.mismatches.map((m) => [m.entityId, m.feature.feature, m.online.value, m.offline.value])).toEqual([
      ['a', features[1]!.feature.name, 10.5, 10],
      ['b', features[0]!.feature.name, 0, null],
    ]);
  });

  it('samples active entities when none are named', async () => {
    const offline = offlineReader({ s: [present(1), present(1)] }, ['s']);
    const report = await checkParity({ features, entityIds: [], sampleSize: 5, tolerance: 0 }, { offline, online: onlineReader({ s: [present(1), present(1)] }) }, 1);
    expect(report).toMatchObject({ entitiesChecked: 1, mismatches: [] });
  });

  it('rejects a bad tolerance and an online reader that answers the wrong shape', async () => {
    const offline = offlineReader({ a: [present(1), present(1)] });
    await expect(checkParity({ features, entityIds: ['a'], sampleSize: 0, tolerance: -1 }, { offline, online: onlineReader({}) }, 1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(checkParity({ features, entityIds: ['a'], sampleSize: 0, tolerance: 0 }, { offline, online: onlineReader({ a: [present(1)] }) }, 1)).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
