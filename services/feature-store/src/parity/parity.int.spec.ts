import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseOfflineFeatureReader } from '../offline/offline-feature-reader.js';
import { asViewEvent, createTestWarehouse, type TestEvent, type TestWarehouse } from '../testing/warehouse-events.js';
import { chargesView, DAY_MS, HOUR_MS, pagesView, resolveAll } from '../testing/test-views.js';
import { evaluateFeature, type FeatureValue } from '../views/feature-value.js';
import { checkParity } from './parity-check.js';
import type { OnlineFeatureReader } from './online-feature-reader.js';

let warehouse: TestWarehouse;
let table: string;
const AS_OF = Date.parse('2026-11-20T12:00:00.000Z');
const features = resolveAll(chargesView, pagesView);
const EVENTS: TestEvent[] = [
  { messageId: 'a1', customerId: 'a', event: 'Carrier Billing Charge', timeMs: AS_OF - 2 * DAY_MS, properties: { amount: 10, currency: 'TWD', merchant: 'M' } },
  { messageId: 'a2', customerId: 'a', event: 'Carrier Billing Charge', timeMs: AS_OF - HOUR_MS, properties: { amount: 5, currency: 'TWD', merchant: 'N', meta: { tag: 'x' } } },
  { messageId: 'a3', customerId: 'a', event: 'Carrier Billing Charge', timeMs: AS_OF, properties: { amount: 99, currency: 'TWD', merchant: 'LATE' } },
  { messageId: 'b1', customerId: 'b', type: 'page', timeMs: AS_OF - DAY_MS, properties: { path: '/x' } },
  { messageId: 'c1', customerId: 'c', event: 'Carrier Billing Charge', timeMs: AS_OF - 6 * DAY_MS, properties: { amount: 1, currency: 'TWD', merchant: 'M' } },
];

/** An online side that computes the definition from the same events: what a correct online store serves. */
function definitionReader(tamper?: { entity: string; feature: string }): OnlineFeatureReader {
  return {
    async read(refs, entityIds, asOfMs) {
      return entityIds.map((entityId) => {
        const own = EVENTS.filter((event) => event.customerId === entityId).map(asViewEvent);
        return refs.map((ref) => {
          const resolved = features.find((f) => f.ref.featureView === ref.featureView && f.ref.feature === ref.feature)!;
          const value: FeatureValue = evaluateFeature(resolved.view, resolved.feature, own, asOfMs);
          return tamper?.entity === entityId && tamper.feature === ref.feature && typeof value.value === 'number' ? { ...value, value: value.value + 1 } : value;
        });
      });
    },
  };
}

beforeAll(async () => {
  warehouse = await createTestWarehouse('it_fs_parity');
  table = await warehouse.freshEventsTable();
  await warehouse.insertEvents(table, EVENTS);
});
afterAll(async () => {
  await warehouse?.drop();
});

describe('parity with the offline values computed in ClickHouse', () => {
  const offline = () => new ClickHouseOfflineFeatureReader({ clickhouse: warehouse.clickhouse, eventsTable: table });

  it('finds no difference when the online side serves the definition, for named and for sampled entities', async () => {
    const named = await checkParity({ features, entityIds: ['a', 'b', 'c', 'nobody'], sampleSize: 0, tolerance: 1e-9 }, { offline: offline(), online: definitionReader() }, AS_OF);
    expect(named).toMatchObject({ entitiesChecked: 4, valuesCompared: 4 * features.length, mismatches: [] });
    const sampled = await checkParity({ features, entityIds: [], sampleSize: 10, tolerance: 1e-9 }, { offline: offline(), online: definitionReader() }, AS_OF);
    expect(sampled.entitiesChecked).toBe(3);
    expect(sampled.mismatches).toEqual([]);
  });

  it('reports a value the online side got wrong, with both values', async () => {
    const report = await checkParity(
      { features, entityIds: ['a', 'b'], sampleSize: 0, tolerance: 0.5 },
      { offline: offline(), online: definitionReader({ entity: 'a', feature: 'amount_sum_7d' }) },
      AS_OF,
    );
    expect(report.mismatches).toEqual([
      {
        entityId: 'a',
        feature: { featureView: 'test_charges', feature: 'amount_sum_7d', version: 1 },
        online: { status: 'present', value: 16, eventTimeMs: AS_OF - HOUR_MS },
        offline: { status: 'present', value: 15, eventTimeMs: AS_OF - HOUR_MS },
      },
    ]);
  });
});
