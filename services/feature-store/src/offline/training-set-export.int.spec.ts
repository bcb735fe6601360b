import { createHash, randomUUID } from 'node:crypto';
import { ObjectStore } from '@kuroshio/object-store';
import { stackEndpoints } from '@kuroshio/testing';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayBufferOf, asViewEvent, createTestWarehouse, type TestEvent, type TestWarehouse } from '../testing/warehouse-events.js';
import { chargesView, DAY_MS, resolveAll } from '../testing/test-views.js';
import type { ResolvedFeature } from '../views/feature-view-registry.js';
import { evaluateEventLabel, type EventLabelDefinition } from './event-label.js';
import { readLabelRows } from './label-source.js';
import { readStoredManifest } from './stored-manifest.js';
import { exportTrainingSet } from './training-set-export.js';
import { TrainingSetJobs } from './training-set-jobs.js';
import { contentHashOf, dataObjectKey, manifestObjectKey, TRAINING_SETS_PREFIX } from './training-set-manifest.js';

const endpoints = stackEndpoints();
const bucket = endpoints.s3.buckets.lake;
const store = new ObjectStore(endpoints.s3);
let warehouse: TestWarehouse;
let table: string;
const exportIds: string[] = [];
// rows_uri objects may live only under configured locations; this suite's own one, in the lake.
const labelsPrefix = `labels/it-export-${randomUUID()}/`;
const labelRows = { locations: [{ bucket, prefix: labelsPrefix }], maxBytes: 1024 * 1024 };

const at = (iso: string) => Date.parse(iso);
const START = at('2026-03-01T00:00:00Z');
const END = at('2026-06-01T00:00:00Z');

const charge = (chargeId: string, customerId: string, iso: string, dueDate: string, extra: Record<string, unknown> = {}): TestEvent => ({
  messageId: `msg-${chargeId}`,
  customerId,
  event: 'Carrier Billing Charge',
  timeMs: at(iso),
  properties: { chargeId, amount: 300, currency: 'TWD', merchant: `merchant-${chargeId}`, dueDate, ...extra },
});
const payment = (paymentId: string, customerId: string, iso: string, chargeIds: string[]): TestEvent => ({
  messageId: `msg-${paymentId}`,
  customerId,
  event: 'Carrier Billing Payment',
  timeMs: at(iso),
  properties: { paymentId, chargeIds, amount: 300, currency: 'TWD', paidAt: iso },
});

// Due 2026-04-20 means payable through that day: the 30-day window closes at 2026-05-21T00:00Z.
const EVENTS: TestEvent[] = [
  charge('ch1', 'u1', '2026-03-05T10:00:00Z', '2026-04-20'),
  payment('p1', 'u1', '2026-04-18T09:00:00Z', ['chX', 'ch1']),
  charge('ch2', 'u1', '2026-03-10T10:00:00Z', '2026-04-20'),
  charge('ch3', 'u2', '2026-03-07T10:00:00Z', '2026-04-20'),
  payment('p3', 'u2', '2026-05-20T23:59:59Z', ['ch3']),
  charge('ch4', 'u2', '2026-03-08T10:00:00Z', '2026-04-20'),
  payment('p4', 'u2', '2026-05-21T00:00:00Z', ['ch4']),
  charge('ch5', 'u3', '2026-05-02T10:00:00Z', '2026-05-20'),
  charge('ch6', 'u3', '2026-03-12T10:00:00Z', '2026-04-20'),
  payment('p6', 'u3', '2026-04-01T10:00:00Z', ['ch-other']),
  charge('ch7', 'u4', '2026-02-27T10:00:00Z', '2026-04-20'),
  charge('ch8', 'u4', '2026-03-15T10:00:00Z', '2026-04-20', { currency: 'USD' }),
  // Another customer paying u1's charge id does not pay u1's charge.
  charge('ch9', 'u5', '2026-03-20T10:00:00Z', '2026-04-20'),
  payment('p9', 'u1', '2026-04-10T10:00:00Z', ['ch9']),
];

const unpaid: EventLabelDefinition = {
  anchorEvent: 'Carrier Billing Charge',
  anchorFilters: [{ path: 'currency', operator: 'equals', values: ['TWD'] }],
  outcomeEvent: 'Carrier Billing Payment',
  correlation: { anchorPath: 'chargeId', outcomePath: 'chargeIds' },
  deadlineProperty: 'dueDate',
  outcomeWindowMs: 30 * DAY_MS,
  positiveWhen: 'outcome_absent',
};

beforeAll(async () => {
  warehouse = await createTestWarehouse('it_fs_export');
  table = await warehouse.freshEventsTable();
  await warehouse.insertEvents(table, EVENTS);
  // A replayed charge: the same row again.
  await warehouse.insertEvents(table, [EVENTS[2]!]);
});

afterAll(async () => {
  await warehouse?.drop();
  for (const id of exportIds) {
    for await (const object of store.list(bucket, `${TRAINING_SETS_PREFIX}${id}/`)) await store.remove(bucket, object.key);
  }
  for await (const object of store.list(bucket, labelsPrefix)) await store.remove(bucket, object.key);
});

const source = () => ({ clickhouse: warehouse.clickhouse, eventsTable: table });

describe('event labels in ClickHouse', () => {
  it('labels charges left unpaid 30 days after their due date, only once their window has closed', async () => {
    const window = { startMs: START, endMs: END, cutoffMs: at('2026-05-25T00:00:00Z') };
    const { rows } = await readLabelRows({ kind: 'event', definition: unpaid }, { source: source(), store, labelRows }, window);
    const byTime = rows.map((row) => ({ entity: row.entityId, time: new Date(row.labelTimeMs).toISOString(), label: row.label }));
    expect(byTime).toEqual([
      { entity: 'u1', time: '2026-03-05T10:00:00.000Z', label: 0 },
      { entity: 'u1', time: '2026-03-10T10:00:00.000Z', label: 1 },
      { entity: 'u2', time: '2026-03-07T10:00:00.000Z', label: 0 },
      { entity: 'u2', time: '2026-03-08T10:00:00.000Z', label: 1 },
      { entity: 'u3', time: '2026-03-12T10:00:00.000Z', label: 1 },
      { entity: 'u5', time: '2026-03-20T10:00:00.000Z', label: 1 },
    ]);
    // The definition executed event by event agrees.
    const reference = evaluateEventLabel(
      unpaid,
      EVENTS.map(asViewEvent),
      window,
    );
    expect([...reference].sort((a, b) => a.entityId.localeCompare(b.entityId) || a.labelTimeMs - b.labelTimeMs)).toEqual(rows);
  });

  it('with the outcome present as positive and no correlation, any payment of the customer in the window counts', async () => {
    const window = { startMs: START, endMs: END, cutoffMs: END };
    const definition: EventLabelDefinition = { ...unpaid, positiveWhen: 'outcome_present', correlation: undefined, deadlineProperty: undefined, outcomeWindowMs: 40 * DAY_MS };
    const { rows } = await readLabelRows({ kind: 'event', definition }, { source: source(), store, labelRows }, window);
    const u3 = rows.filter((row) => row.entityId === 'u3');
    // ch6 (Mar 12) sees u3's payment of Apr 1 within 40 days; ch5 (May 2) has none before its window closes on Jun 11 > cutoff: not labelled.
    expect(u3).toEqual([{ entityId: 'u3', labelTimeMs: at('2026-03-12T10:00:00Z'), label: 1 }]);
  });
});

describe('training-set export to S3', () => {
  const features: ResolvedFeature[] = resolveAll(chargesView).filter(({ feature }) => ['count_7d', 'amount_sum_7d', 'last_merchant_7d'].includes(feature.name));

  it('writes Parquet sorted by entity and time, a manifest whose hashes verify, and features that never see the anchor itself', async () => {
    const exportId = randomUUID();
    exportIds.push(exportId);
    const { manifest } = await exportTrainingSet(
      { source: source(), store, bucket, labelRows, chunkRows: 2, now: () => at('2026-05-25T00:00:00Z') },
      { exportId, features, labels: { kind: 'event', definition: unpaid }, timeRange: { startMs: START, endMs: END }, createdAt: new Date(), requestHash: 'e'.repeat(64) },
    );
    expect(manifest).toMatchObject({
      exportId,
      featureViews: [{ name: 'test_charges', version: 1 }],
      rowCount: 6,
      positiveCount: 4,
      dataObject: `training-sets/${exportId}/data.parquet`,
      timeRange: { start: '2026-03-01T00:00:00.000Z', end: '2026-06-01T00:00:00.000Z' },
    });
    expect(manifest.features.map((f) => f.column)).toEqual(['test_charges__count_7d', 'test_charges__amount_sum_7d', 'test_charges__last_merchant_7d']);
    expect(manifest.label).toMatchObject({ kind: 'event', anchorEvent: 'Carrier Billing Charge', cutoff: '2026-05-25T00:00:00.000Z' });

    const data = await store.get(bucket, dataObjectKey(exportId));
    expect(createHash('sha256').update(data).digest('hex')).toBe(manifest.dataSha256);
    const stored = JSON.parse((await store.get(bucket, manifestObjectKey(exportId))).toString('utf8'));
    expect(stored).toEqual(manifest);
    expect(contentHashOf(stored)).toBe(manifest.contentHash);
    expect(contentHashOf({ ...stored, rowCount: 7 })).not.toBe(manifest.contentHash);

    const file = arrayBufferOf(data);
    const schema = parquetMetadata(file).schema.map((element) => [element.name, element.type, element.repetition_type]);
    expect(schema.slice(1)).toEqual([
      ['entity_id', 'BYTE_ARRAY', 'REQUIRED'],
      ['label_time_ms', 'INT64', 'REQUIRED'],
      ['label', 'DOUBLE', 'REQUIRED'],
      ['test_charges__count_7d', 'DOUBLE', 'OPTIONAL'],
      ['test_charges__amount_sum_7d', 'DOUBLE', 'OPTIONAL'],
      ['test_charges__last_merchant_7d', 'BYTE_ARRAY', 'OPTIONAL'],
    ]);
    const rows = await parquetReadObjects({ file });
    expect(rows).toEqual([
      // u1's first charge: nothing before it, its own event at the label time is not visible.
      { entity_id: 'u1', label_time_ms: BigInt(at('2026-03-05T10:00:00Z')), label: 0, test_charges__count_7d: null, test_charges__amount_sum_7d: null, test_charges__last_merchant_7d: null },
      { entity_id: 'u1', label_time_ms: BigInt(at('2026-03-10T10:00:00Z')), label: 1, test_charges__count_7d: 1, test_charges__amount_sum_7d: 300, test_charges__last_merchant_7d: 'merchant-ch1' },
      { entity_id: 'u2', label_time_ms: BigInt(at('2026-03-07T10:00:00Z')), label: 0, test_charges__count_7d: null, test_charges__amount_sum_7d: null, test_charges__last_merchant_7d: null },
      { entity_id: 'u2', label_time_ms: BigInt(at('2026-03-08T10:00:00Z')), label: 1, test_charges__count_7d: 1, test_charges__amount_sum_7d: 300, test_charges__last_merchant_7d: 'merchant-ch3' },
      { entity_id: 'u3', label_time_ms: BigInt(at('2026-03-12T10:00:00Z')), label: 1, test_charges__count_7d: null, test_charges__amount_sum_7d: null, test_charges__last_merchant_7d: null },
      { entity_id: 'u5', label_time_ms: BigInt(at('2026-03-20T10:00:00Z')), label: 1, test_charges__count_7d: null, test_charges__amount_sum_7d: null, test_charges__last_merchant_7d: null },
    ]);

    // After a restart the export is known by its manifest alone.
    const restarted = new TrainingSetJobs({ run: () => Promise.reject(new Error('not expected')), readManifest: (id) => readStoredManifest(store, bucket, id) });
    const job = await restarted.get(exportId);
    // …with what it was asked for, so that a reused request id for something else is still refused.
    expect(job).toMatchObject({ exportId, state: 'succeeded', manifest: { contentHash: manifest.contentHash }, requestHash: 'e'.repeat(64) });
    await expect(restarted.get(randomUUID())).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('exports explicit label rows read from an NDJSON object in S3, dropping rows outside the time range', async () => {
    const exportId = randomUUID();
    exportIds.push(exportId);
    const rowsKey = `${labelsPrefix}${exportId}.ndjson`;
    await store.put(
      bucket,
      rowsKey,
      [
        JSON.stringify({ entity_id: 'u2', timestamp: '2026-03-09T00:00:00Z', label: 1 }),
        JSON.stringify({ entity_id: 'u1', timestamp: at('2026-03-11T00:00:00Z'), label: 0 }),
        '',
        JSON.stringify({ entity_id: 'u1', timestamp: '2026-07-01T00:00:00Z', label: 1 }),
      ].join('\n'),
    );
    const { manifest } = await exportTrainingSet(
      { source: source(), store, bucket, labelRows, chunkRows: 1000, now: Date.now },
      {
        exportId,
        features,
        labels: { kind: 'rows_uri', uri: `s3://${bucket}/${rowsKey}`, bucket, key: rowsKey },
        timeRange: { startMs: START, endMs: END },
        createdAt: new Date(),
      },
    );
    expect(manifest).toMatchObject({ rowCount: 2, positiveCount: 1, label: { kind: 'rows_uri', rowCount: 3 } });
    const data = await store.get(bucket, dataObjectKey(exportId));
    const rows = await parquetReadObjects({ file: arrayBufferOf(data) });
    expect(rows.map((row) => [row['entity_id'], row['test_charges__count_7d']])).toEqual([
      ['u1', 2],
      ['u2', 2],
    ]);
  });

  it('reads rows_uri label rows only under a label-rows location, and says the same for an object that is not there', async () => {
    const outside = randomUUID();
    exportIds.push(outside);
    const outsideKey = `${TRAINING_SETS_PREFIX}${outside}/labels.ndjson`;
    await store.put(bucket, outsideKey, `${JSON.stringify({ entity_id: 'u1', timestamp: '2026-03-09T00:00:00Z', label: 1 })}\n`);
    const labels = (key: string) => ({ kind: 'rows_uri' as const, uri: `s3://${bucket}/${key}`, bucket, key });
    const attempt = (key: string) =>
      exportTrainingSet(
        { source: source(), store, bucket, labelRows, chunkRows: 1000, now: Date.now },
        { exportId: randomUUID(), features, labels: labels(key), createdAt: new Date() },
      );
    // An object that exists, in the lake the store can read, outside the locations.
    await expect(attempt(outsideKey)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', reason: 'label_rows_location_not_allowed' });
    const missing = await attempt(`${labelsPrefix}missing.ndjson`).catch((error: unknown) => error);
    expect(missing).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'label_rows_unreadable' });
    expect((missing as Error).message).toContain('does not exist or cannot be read');

    await store.put(bucket, `${labelsPrefix}too-large.ndjson`, Buffer.alloc(labelRows.maxBytes + 1, 0x20));
    await expect(attempt(`${labelsPrefix}too-large.ndjson`)).rejects.toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'label_rows_too_large' });
  });
});
