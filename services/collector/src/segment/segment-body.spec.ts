import { DomainError } from '@kuroshio/service-kit';
import { describe, expect, it } from 'vitest';
import { segmentPayload } from './segment-body.js';

describe('segmentPayload', () => {
  it('gives a single call its type from the route', () => {
    expect(segmentPayload('identify', { messageId: 'm', userId: 'u', type: 'track' }).events).toEqual([{ messageId: 'm', userId: 'u', type: 'identify' }]);
  });

  it('reads a batch and applies the shared context and sentAt where events lack them', () => {
    const payload = segmentPayload('batch', {
      writeKey: 'wk',
      sentAt: '2026-01-01T00:00:00Z',
      context: { library: { name: 'analytics-node' }, channel: 'web' },
      batch: [{ type: 'track', context: { channel: 'app' } }, { type: 'page', sentAt: '2026-01-02T00:00:00Z' }, 42],
    });
    expect(payload.bodyWriteKey).toBe('wk');
    expect(payload.events).toEqual([
      { type: 'track', context: { library: { name: 'analytics-node' }, channel: 'app' }, sentAt: '2026-01-01T00:00:00Z' },
      { type: 'page', context: { library: { name: 'analytics-node' }, channel: 'web' }, sentAt: '2026-01-02T00:00:00Z' },
      42,
    ]);
  });

  it("dates an event without a timestamp by its originalTimestamp, where RudderStack's SDKs put the call's time", () => {
    const rudderEvent = { type: 'track', originalTimestamp: '2026-01-01T00:00:00.000Z', sentAt: '2026-01-01T00:00:09.000Z' };
    const dated = { ...rudderEvent, timestamp: '2026-01-01T00:00:00.000Z' };
    const own = { ...rudderEvent, timestamp: '2025-12-31T23:59:00.000Z' };
    expect(segmentPayload('batch', { batch: [rudderEvent, { ...rudderEvent, timestamp: null }, own] }).events).toEqual([dated, dated, own]);
    expect(segmentPayload('track', rudderEvent).events).toEqual([dated]);
  });

  it.each([
    ['batch', []],
    ['batch', { batch: 'x' }],
    ['batch', null],
    ['track', 'text'],
    ['track', [1]],
  ] as const)('refuses a %s body shaped %j', (call, body) => {
    expect(() => segmentPayload(call, body)).toThrow(DomainError);
  });
});
