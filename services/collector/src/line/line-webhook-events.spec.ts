import { validateInboundEvent } from '@kuroshio/contracts';
import { DomainError } from '@kuroshio/service-kit';
import { describe, expect, it } from 'vitest';
import { mapLineWebhook } from './line-webhook-events.js';

const base = {
  mode: 'active',
  timestamp: 1_767_225_600_000,
  source: { type: 'user', userId: 'U4af4980629' },
  deliveryContext: { isRedelivery: false },
};

const webhook = {
  destination: 'Uxxxxxxxxxxxxxx',
  events: [
    { ...base, type: 'message', webhookEventId: '01HZ0A', replyToken: 'r1', message: { id: '444573844083572737', type: 'text', text: '我想查詢帳戶餘額' } },
    { ...base, type: 'follow', webhookEventId: '01HZ0B', follow: { isUnblocked: true } },
    { ...base, type: 'unfollow', webhookEventId: '01HZ0C' },
    { ...base, type: 'postback', webhookEventId: '01HZ0D', postback: { data: 'action=apply&product=loan', params: { date: '2026-01-02' } } },
    { ...base, type: 'join', webhookEventId: '01HZ0E', source: { type: 'group', groupId: 'C1' } },
    { ...base, type: 'message', webhookEventId: '01HZ0F', message: { id: '1', type: 'sticker', packageId: '446', stickerId: '1988' } },
  ],
};

describe('mapLineWebhook', () => {
  const mapped = mapLineWebhook(webhook);

  it('maps message, follow, unfollow and postback to track events on the line channel', () => {
    expect(mapped.positions).toEqual([0, 1, 2, 3, 5]);
    expect(mapped.skipped).toEqual([{ index: 4, type: 'join' }]);
    expect(mapped.events.map((event) => (event as { event: string }).event)).toEqual([
      'LINE Message Received',
      'LINE Followed',
      'LINE Unfollowed',
      'LINE Postback Received',
      'LINE Message Received',
    ]);
  });

  it('takes the messageId from webhookEventId (stable across redeliveries) and the user from source.userId', () => {
    const message = validateInboundEvent(mapped.events[0]);
    if (!message.ok) throw new Error(JSON.stringify(message.issues));
    expect(message.value).toMatchObject({
      messageId: '01HZ0A',
      type: 'track',
      userId: 'U4af4980629',
      timestamp: '2026-01-01T00:00:00.000Z',
      context: { channel: 'line', line: { destination: 'Uxxxxxxxxxxxxxx', mode: 'active', isRedelivery: false, sourceType: 'user' } },
      properties: { messageType: 'text', lineMessageId: '444573844083572737', text: '我想查詢帳戶餘額' },
    });
    expect(JSON.stringify(message.value)).not.toContain('r1');
  });

  it('keeps postback data and sticker ids', () => {
    expect(mapped.events[3]).toMatchObject({ properties: { data: 'action=apply&product=loan', params: { date: '2026-01-02' } } });
    expect(mapped.events[4]).toMatchObject({ properties: { messageType: 'sticker', packageId: '446', stickerId: '1988' } });
  });

  it('every mapped event of a well-formed webhook validates', () => {
    for (const event of mapped.events) expect(validateInboundEvent(event).ok).toBe(true);
  });

  it('leaves malformed events to the validator, which names the problem', () => {
    const { events } = mapLineWebhook({ events: [{ type: 'follow', timestamp: 'yesterday', source: { type: 'group', groupId: 'C1' } }] });
    const result = validateInboundEvent(events[0]);
    expect(result.ok ? [] : result.issues.map((issue) => issue.path)).toEqual(expect.arrayContaining(['messageId', 'userId', 'timestamp']));
  });

  it.each([null, [], 'x', {}, { events: {} }])('refuses a body that is not a webhook: %j', (body) => {
    expect(() => mapLineWebhook(body)).toThrow(DomainError);
  });

  it('answers the console verification (empty events) with nothing to record', () => {
    expect(mapLineWebhook({ destination: 'U1', events: [] })).toEqual({ events: [], positions: [], skipped: [] });
  });
});
