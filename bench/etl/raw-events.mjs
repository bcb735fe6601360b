// Realistic events.raw values (~500 B) for the ETL benchmark: the collector's envelope with a mix of
// the schema'd events (carrier billing, orders, LINE messages, screens) and an identify, about one in
// four carrying PII (mobile, e-mail) the tokenizer must find, one in a hundred a client retry
// (a messageId already used at another offset) so the dedup path runs too, one in 200 a schema mismatch.
const EVENTS = [
  (i, ts) => ({
    type: 'track', event: 'Carrier Billing Charge',
    // One in 200 lacks its dueDate: a schema mismatch for the DLQ path.
    properties: { chargeId: `chg-${i}`, amount: '1,299.00', currency: 'twd', merchant: '遊戲商店 Game Store', merchantCategory: 'games', ...(i % 200 === 100 ? {} : { dueDate: '2026-12-15' }), ...(i % 4 === 0 ? { msisdn: `09${String(10000000 + (i % 89999999)).padStart(8, '0')}` } : {}) },
  }),
  (i) => ({ type: 'track', event: 'Order Completed', properties: { order_id: `ORD-${i}`, total: 1580, revenue: 1580, currency: 'TWD', products: [{ product_id: `p-${i % 97}`, sku: `sku-${i % 97}`, price: 790, quantity: 2 }] } }),
  (i) => ({ type: 'track', event: 'LINE Message Received', properties: { messageType: 'text', text: i % 4 === 1 ? `請寄到 user${i % 5000}@example.com 謝謝` : '你好，我想查詢帳單' } }),
  (i) => ({ type: 'screen', name: 'Bill Detail', properties: { section: 'billing', referrer: 'home' } }),
  (i) => ({ type: 'identify', traits: { plan: 'postpaid-599', tier: 'gold', city: 'Taipei', ...(i % 4 === 3 ? { email: `customer${i % 5000}@example.com.tw` } : {}) } }),
];

export function rawEventValue(i, nowMs) {
  const timestamp = new Date(nowMs - 60_000 + (i % 1000)).toISOString();
  const sentAt = new Date(nowMs - 58_000).toISOString();
  const receivedAt = new Date(nowMs - 57_500).toISOString();
  const customer = `cust-${(i * 7919) % 20000}`;
  const body = EVENTS[i % EVENTS.length](i, timestamp);
  const retry = i % 100 === 99;
  return {
    envelope: {
      messageId: retry ? `msg-${i - 50}` : `msg-${i}`,
      ...body,
      userId: customer,
      anonymousId: `anon-${(i * 31) % 50000}`,
      timestamp, sentAt, receivedAt,
      context: { channel: i % 3 === 0 ? 'Mobile App' : 'web', library: { name: 'analytics-ios', version: '5.2.0' }, locale: 'zh-TW', ip: '10.1.2.3' },
      tenant: 'telco',
      source: i % 2 === 0 ? 'app-sdk' : 'web-sdk',
    },
    ingest: { transport: 'http', requestId: `req-${Math.floor(i / 100)}`, collector: 'collector-0', batchIndex: i % 100 },
  };
}

/** Key (customer) and value bytes of the i-th event. */
export function rawEvent(i, nowMs) {
  const value = rawEventValue(i, nowMs);
  return { key: value.envelope.userId, value: Buffer.from(JSON.stringify(value)) };
}
