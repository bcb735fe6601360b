// Request bodies the collector benchmark sends: Segment track events of about 500 bytes of JSON,
// with a spread of customers (records fan out over the partitions). Each request gets fresh
// messageIds from a template, so the load tool spends microseconds per body, not a JSON.stringify.
export const EVENT_BYTES_TARGET = 500;

const SLOT = '\u0000';

/** One track event of about EVENT_BYTES_TARGET bytes of JSON; `messageId` carries the slot. */
export function trackEvent(runId, index) {
  const event = {
    type: 'track',
    messageId: `${runId}-${SLOT}-${index}`,
    userId: `cust-${(index * 7919) % 100_000}`,
    event: 'Transfer Completed',
    timestamp: '2026-11-27T02:00:00.000Z',
    properties: {
      amount: 1200 + (index % 1000),
      currency: 'TWD',
      fromAccount: 'acct-0001-2345',
      toAccount: 'acct-0009-8765',
      transferType: 'domestic',
      channelDetail: 'mobile-banking',
      note: '',
    },
    context: {
      channel: 'app',
      ip: '203.0.113.7',
      locale: 'zh-TW',
      userAgent: 'KuroshioBank/5.2.1 (iPhone; iOS 18.1)',
      library: { name: 'analytics-ios', version: '4.1.8' },
    },
  };
  // Pad a free-text field so the serialised event (with a 6-digit request number) lands on the target.
  const size = Buffer.byteLength(JSON.stringify(event).replace(JSON.stringify(SLOT).slice(1, -1), '000000'));
  event.properties.note = 'x'.repeat(Math.max(0, EVENT_BYTES_TARGET - size));
  return event;
}

function template(json) {
  const parts = json.split(JSON.stringify(SLOT).slice(1, -1));
  let sequence = 0;
  const next = () => parts.join(String((sequence += 1)));
  return { next, sample: parts.join('000000') };
}

/** `{ batch: [...] }` bodies of `events` events; every call of next() numbers a new request. */
export function batchTemplate(runId, events) {
  const batch = [];
  for (let i = 0; i < events; i += 1) batch.push(trackEvent(runId, i));
  return template(JSON.stringify({ batch }));
}

/** Single-call bodies (`/v1/track`): the event itself. Customers vary with the request number. */
export function singleTemplate(runId) {
  const event = trackEvent(runId, 0);
  event.userId = `cust-${SLOT}`;
  return template(JSON.stringify(event));
}
