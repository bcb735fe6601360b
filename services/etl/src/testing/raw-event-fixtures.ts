import type { RawEventValue } from '@kuroshio/contracts';
import type { RawRecord } from '../domain/raw-record.js';

/**
 * A valid events.raw value; overrides may be anything a producer could send (a channel name the
 * contract does not know yet, a missing messageId), typed loosely on purpose.
 */
export function rawEventValue(envelope: Record<string, unknown> = {}): RawEventValue {
  return {
    envelope: {
      messageId: 'm-1',
      type: 'track',
      event: 'Carrier Billing Charge',
      userId: 'cust-1',
      timestamp: '2026-11-27T01:00:00.000Z',
      sentAt: '2026-11-27T01:00:05.000Z',
      receivedAt: '2026-11-27T01:00:07.000Z',
      properties: { chargeId: 'c-1', amount: '1,299.00', currency: 'twd', merchant: 'Game Store', dueDate: '2026-12-15' },
      context: { channel: 'app' },
      tenant: 'telco',
      source: 'app-sdk',
      ...envelope,
    } as RawEventValue['envelope'],
    ingest: { transport: 'http', requestId: 'req-1', collector: 'collector-0', batchIndex: 0 },
  };
}

let nextOffset = 100;

/** A consumed record carrying `value` (JSON-encoded unless it is already bytes). */
export function rawRecord(value: unknown, overrides: Partial<RawRecord> = {}): RawRecord {
  const offset = String(nextOffset++);
  return {
    topic: 'kuroshio.events.raw.v1',
    partition: 3,
    offset,
    key: Buffer.from('cust-1'),
    value: Buffer.isBuffer(value) ? value : value === null ? null : Buffer.from(JSON.stringify(value)),
    headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    timestamp: String(Date.parse('2026-11-27T01:00:07.000Z')),
    ...overrides,
  };
}
