import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import type { CleanEvent } from '../domain/batch-outcome.js';
import { rawRecord } from '../testing/raw-event-fixtures.js';
import { encodeCleanParquet } from './clean-parquet.js';

function cleanEvent(messageId: string, overrides: Partial<CleanEvent['value']['envelope']> = {}): CleanEvent {
  const eventTime = new Date('2026-11-27T01:00:02.000Z');
  return {
    record: rawRecord(null, { offset: '42' }),
    customerId: 'cust-1',
    eventTime,
    schemaVersion: 1,
    value: {
      envelope: {
        messageId,
        type: 'track',
        event: 'Order Completed',
        userId: 'cust-1',
        timestamp: eventTime.toISOString(),
        receivedAt: '2026-11-27T01:00:07.000Z',
        properties: { order_id: 'o-1', total: 12.5, currency: 'TWD' },
        context: { channel: 'web' },
        tenant: 'bank',
        source: 'web',
        ...overrides,
      },
      processing: {
        raw: { topic: 'kuroshio.events.raw.v1', partition: 3, offset: '42' },
        eventSchema: 'order_completed@1',
        clockSkewMs: 2000,
        tokenizedPaths: ['properties.email'],
        processedAt: '2026-11-27T01:00:09.000Z',
      },
    },
  };
}

describe('clean Parquet', () => {
  it('round-trips through a Parquet reader with the fixed column layout', async () => {
    const events = [cleanEvent('m-1'), cleanEvent('m-2', { event: undefined, type: 'page', userId: undefined, anonymousId: 'anon-9' })];
    const file = encodeCleanParquet(events);
    const buffer = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
    const rows = await parquetReadObjects({ file: buffer });
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      message_id: 'm-1',
      channel: 'web',
      event: 'Order Completed',
      customer_id: 'cust-1',
      event_time: new Date('2026-11-27T01:00:02.000Z'),
      clock_skew_ms: 2000n,
      raw_offset: 42n,
      raw_partition: 3,
      schema_version: 1,
      event_schema: 'order_completed@1',
    });
    expect(rows[1]).toMatchObject({ message_id: 'm-2', event: null, user_id: null, anonymous_id: 'anon-9' });
    const metadata = parquetMetadata(buffer);
    expect(metadata.key_value_metadata).toEqual(expect.arrayContaining([{ key: 'kuroshio.schema_version', value: '2' }]));
  });

  it('stores properties, context, traits and tokenized paths as JSON documents, not as JSON strings', async () => {
    const file = encodeCleanParquet([cleanEvent('m-1', { traits: { plan: '月租 499' } })]);
    const buffer = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
    const documents = ['properties', 'context', 'traits', 'tokenized_paths'];
    // The JSON logical type alone: with the converted type JSON, hyparquet-writer would JSON-encode
    // the text it is given a second time (schema version 1 did).
    const elements = parquetMetadata(buffer).schema.filter((element) => documents.includes(element.name));
    expect(elements).toEqual(documents.map((name) => ({ name, type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL', logical_type: { type: 'JSON' } })));
    // Without a converted type the reader hands back the stored text, undecoded: one JSON.parse gives the document.
    const [row] = await parquetReadObjects({ file: buffer });
    expect(JSON.parse(String(row?.properties))).toEqual({ order_id: 'o-1', total: 12.5, currency: 'TWD' });
    expect(JSON.parse(String(row?.context))).toEqual({ channel: 'web' });
    expect(JSON.parse(String(row?.traits))).toEqual({ plan: '月租 499' });
    expect(JSON.parse(String(row?.tokenized_paths))).toEqual(['properties.email']);
  });

  it('writes the same schema whatever the batch holds, empty columns included', () => {
    const names = (events: CleanEvent[]) => {
      const file = encodeCleanParquet(events);
      const metadata = parquetMetadata(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer);
      return parquetSchema(metadata).children.map((child) => `${child.element.name}:${child.element.type}`);
    };
    expect(names([cleanEvent('a', { event: undefined })])).toEqual(names([cleanEvent('b')]));
  });
});
