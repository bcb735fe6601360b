import { describe, expect, it } from 'vitest';
import { manifestContentHash } from './manifest-content-hash.js';

// A manifest and the contentHash the feature store's contentHashOf (services/feature-store
// offline/training-set-manifest.ts) gives it: the trainer must agree with the writer byte for byte.
const manifest = {
  exportId: 'ts-vector',
  createdAt: '2026-03-01T00:00:00.000Z',
  featureViews: [{ name: 'billing_activity', version: 2 }],
  features: [{ featureView: 'billing_activity', feature: 'charge_amount_sum_30d', version: 2, column: 'billing_activity__charge_amount_sum_30d', valueType: 'double' }],
  label: { eventLabel: { anchorEventType: 'carrier_billing_charge', outcomeEventType: 'carrier_billing_payment', outcomeWindow: '30d', 名稱: '未繳' } },
  timeRange: { start: '2026-01-01T00:00:00.000Z', end: null },
  rowCount: 3,
  positiveCount: 1,
  dataObject: 'training-sets/ts-vector/data.parquet',
  dataSha256: 'ab'.repeat(32),
};
const FEATURE_STORE_HASH = '889d6e312f1f0e08a3b45b05d5c4026f822f4486379eb655e93f38c6f7119bc2';

describe('manifestContentHash', () => {
  it("equals the feature store's hash of the same manifest", () => {
    expect(manifestContentHash(manifest)).toBe(FEATURE_STORE_HASH);
  });

  it('ignores createdAt, contentHash and key order, and covers every other field', () => {
    const reordered = Object.fromEntries(Object.entries(manifest).reverse());
    expect(manifestContentHash({ ...reordered, createdAt: '2030-01-01T00:00:00Z', contentHash: 'f'.repeat(64) })).toBe(FEATURE_STORE_HASH);
    expect(manifestContentHash({ ...manifest, rowCount: 4 })).not.toBe(FEATURE_STORE_HASH);
    expect(manifestContentHash({ ...manifest, addedLater: true })).not.toBe(FEATURE_STORE_HASH);
  });
});
