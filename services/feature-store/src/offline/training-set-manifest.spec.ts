import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentHashOf, parseManifest, withContentHash, type ManifestFields } from './training-set-manifest.js';

const fields: ManifestFields = {
  exportId: '0b5f3c2e-8a1d-4c8e-9f00-000000000001',
  createdAt: '2026-11-27T00:00:00.000Z',
  featureViews: [{ name: 'carrier_billing_charges', version: 2 }],
  features: [{ featureView: 'carrier_billing_charges', feature: 'charge_count_7d', version: 2, column: 'carrier_billing_charges__charge_count_7d', valueType: 'int64' }],
  label: { kind: 'rows', rowCount: 3 },
  timeRange: null,
  rowCount: 3,
  positiveCount: 1,
  dataObject: 'training-sets/0b5f3c2e-8a1d-4c8e-9f00-000000000001/data.parquet',
  dataSha256: 'a'.repeat(64),
};

describe('training-set manifest', () => {
  it('hashes the canonical JSON of every field but createdAt: key order and createdAt do not matter', () => {
    const hash = contentHashOf(fields);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const reordered = Object.fromEntries(Object.entries(fields).reverse()) as ManifestFields;
    expect(contentHashOf({ ...reordered, createdAt: '2030-01-01T00:00:00.000Z' })).toBe(hash);
  });

  it('changes with any other field (fast-check)', () => {
    const hash = contentHashOf(fields);
    fc.assert(
      fc.property(fc.constantFrom<keyof ManifestFields>('exportId', 'rowCount', 'positiveCount', 'dataSha256', 'dataObject', 'label', 'timeRange', 'features', 'featureViews'), fc.integer({ min: 1, max: 1e6 }), (key, n) => {
        const changed = { ...fields, [key]: key === 'dataSha256' ? n.toString(16).padStart(64, '0') : key.endsWith('Count') ? n + 3 : { n } };
        expect(contentHashOf(changed as ManifestFields)).not.toBe(hash);
      }),
    );
  });

  it('parses a stored manifest and refuses one whose fields no longer match its hash', () => {
    const manifest = withContentHash(fields);
    expect(parseManifest(JSON.stringify(manifest))).toEqual(manifest);
    expect(() => parseManifest(JSON.stringify({ ...manifest, rowCount: 4 }))).toThrow(/does not match/);
    expect(() => parseManifest(JSON.stringify({ ...manifest, extra: 1 }))).toThrow();
  });
});
