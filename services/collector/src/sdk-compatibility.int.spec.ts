import { gunzipSync } from 'node:zlib';
import Rudder from '@rudderstack/rudder-sdk-node';
import { Analytics, type Context } from '@segment/analytics-node';
import type { RunningService } from '@kuroshio/service-kit';
import { uniqueName } from '@kuroshio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashWriteKey } from './auth/write-key.js';
import type { CollectorConfig } from './config.js';
import { startCollector } from './testing/collector-under-test.js';
import { tailRawEvents, type RawEventsTail } from './testing/raw-events-tail.js';

// The official Node SDKs from npm, unmodified, pointed at the collector as their API host: what a
// customer does when the README says Segment SDKs work unchanged.
const tenant = uniqueName('sdk');
const run = tenant.replace(/[^a-z0-9]/g, '');
const SEGMENT_KEY = `wk-segment-${run}`;
const RUDDER_KEY = `wk-rudder-${run}`;
const sources = [
  { tenant, source: `${run}-segment`, channel: 'app', writeKeySha256: hashWriteKey(SEGMENT_KEY) },
  { tenant, source: `${run}-rudder`, channel: 'web', writeKeySha256: hashWriteKey(RUDDER_KEY) },
];

let collector: RunningService<CollectorConfig>;
let rawEvents: RawEventsTail;

beforeAll(async () => {
  collector = await startCollector({ COLLECTOR_SOURCES: JSON.stringify(sources) });
  rawEvents = await tailRawEvents(tenant, 'collector-sdk-it');
});

afterAll(async () => {
  await rawEvents?.close();
  await collector?.close();
});

type SentEvent = Record<string, unknown> & { messageId: string; type: string; context: Record<string, unknown> };

/** One call's completion as the SDK reports it to the caller's callback. */
interface Delivery<T> {
  readonly error: unknown;
  readonly detail: T;
}

/** A callback for one SDK call and the promise of what the SDK passed to it. */
function deliveryOf<T>(): { callback: (error?: unknown, detail?: T) => void; delivered: Promise<Delivery<T | undefined>> } {
  let callback!: (error?: unknown, detail?: T) => void;
  const delivered = new Promise<Delivery<T | undefined>>((resolve) => {
    callback = (error, detail) => resolve({ error, detail });
  });
  return { callback, delivered };
}

/**
 * What the collector should have produced for an event as the SDK sent it: the same fields, minus
 * the SDK's own bookkeeping the envelope does not carry, with the collector's enrichment.
 */
function expectedEnvelope(sent: SentEvent, enrichment: { source: string; channel: string; timestamp?: unknown; sentAt: unknown }) {
  const { _metadata, integrations: _integrations, channel: _channel, originalTimestamp: _originalTimestamp, ...event } = sent;
  return {
    ...event,
    timestamp: enrichment.timestamp ?? event['timestamp'],
    sentAt: enrichment.sentAt,
    context: { ...event.context, channel: enrichment.channel },
    tenant,
    source: enrichment.source,
    receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
  };
}

describe('@segment/analytics-node', () => {
  const segment = (writeKey: string) => {
    const analytics = new Analytics({ writeKey, host: collector.httpUrl });
    const emitted = { errors: [] as unknown[], statuses: [] as number[], bodies: [] as { batch: SentEvent[]; sentAt: string }[] };
    analytics.on('error', (error) => emitted.errors.push(error));
    analytics.on('http_response', (response) => emitted.statuses.push(response.status));
    analytics.on('http_request', (request) => emitted.bodies.push(JSON.parse(request.body)));
    return { analytics, emitted };
  };

  it('delivers track, identify, page, screen, group and alias onto events.raw as the SDK sent them', async () => {
    const { analytics, emitted } = segment(SEGMENT_KEY);
    const calls = Array.from({ length: 6 }, () => deliveryOf<Context>());
    const eventTime = new Date('2026-01-02T03:04:05.678Z');
    analytics.track({ userId: 'cust-1', event: 'Transfer Completed', properties: { amount: 1200, currency: 'TWD' }, timestamp: eventTime }, calls[0]!.callback);
    analytics.identify({ anonymousId: 'dev-9', traits: { segment: 'retail', name: '王小明' } }, calls[1]!.callback);
    analytics.page({ userId: 'cust-1', category: 'Accounts', name: 'Overview', properties: { path: '/accounts' } }, calls[2]!.callback);
    analytics.screen({ userId: 'cust-1', name: 'Home', properties: { tab: 'cards' } }, calls[3]!.callback);
    analytics.group({ userId: 'cust-1', groupId: 'household-7', traits: { members: 3 } }, calls[4]!.callback);
    analytics.alias({ userId: 'cust-1', previousId: 'dev-9' }, calls[5]!.callback);
    await analytics.closeAndFlush();
    const deliveries = await Promise.all(calls.map((call) => call.delivered));

    expect(deliveries.map((delivery) => delivery.error)).toEqual(Array(6).fill(undefined));
    expect(emitted.errors).toEqual([]);
    expect(emitted.statuses.length).toBeGreaterThan(0);
    expect(new Set(emitted.statuses)).toEqual(new Set([200]));

    // The ids the SDK generated, in call order, and what it put on the wire for them.
    const ids = deliveries.map((delivery) => delivery.detail!.event.messageId!);
    const sent = new Map(emitted.bodies.flatMap((body) => body.batch.map((event) => [event.messageId, { event, sentAt: body.sentAt }] as const)));
    expect([...sent.keys()].sort()).toEqual([...ids].sort());
    await rawEvents.waitForProduced(ids);

    const records = ids.map((id) => rawEvents.produced.get(id)!);
    expect(records.map((record) => record.value.envelope.type)).toEqual(['track', 'identify', 'page', 'screen', 'group', 'alias']);
    for (const record of records) {
      const { event, sentAt } = sent.get(record.value.envelope.messageId)!;
      expect(record.value.envelope).toEqual(expectedEnvelope(event, { source: `${run}-segment`, channel: 'app', sentAt }));
      expect(record.value.envelope.context['library']).toEqual({ name: '@segment/analytics-node', version: expect.stringMatching(/^3\./) });
      expect(record.value.ingest).toMatchObject({ transport: 'http' });
      expect(record.message.key?.toString()).toBe(record.value.envelope.userId ?? record.value.envelope.anonymousId);
    }
    const [track, identify, page, screen, group, alias] = records.map((record) => record.value.envelope);
    expect(track).toMatchObject({ event: 'Transfer Completed', userId: 'cust-1', properties: { amount: 1200, currency: 'TWD' }, timestamp: eventTime.toISOString() });
    expect(identify).toMatchObject({ anonymousId: 'dev-9', traits: { segment: 'retail', name: '王小明' } });
    expect(page).toMatchObject({ category: 'Accounts', name: 'Overview', properties: { path: '/accounts' } });
    expect(screen).toMatchObject({ name: 'Home', properties: { tab: 'cards' } });
    expect(group).toMatchObject({ groupId: 'household-7', traits: { members: 3 } });
    expect(alias).toMatchObject({ userId: 'cust-1', previousId: 'dev-9' });
  });

  it('reports a wrong write key to the caller as a 401 delivery failure, and nothing is produced', async () => {
    const { analytics, emitted } = segment(`${SEGMENT_KEY}-wrong`);
    const refused = deliveryOf<Context>();
    analytics.track({ userId: `cust-${run}-401`, event: 'Login' }, refused.callback);
    await analytics.closeAndFlush();
    const { error, detail } = await refused.delivered;

    expect(String(error)).toContain('[401]');
    expect(emitted.statuses).toEqual([401]);
    expect(emitted.errors).toEqual([expect.objectContaining({ code: 'delivery_failure' })]);
    await expectNeverProduced(detail!.event.messageId!, `cust-${run}-401`);
  });
});

describe('@rudderstack/rudder-sdk-node', () => {
  /** The batch a Rudder callback reports: the request body, gzipped as sent unless gzip is off. */
  const batchOf = (data: unknown) => (Buffer.isBuffer(data) ? JSON.parse(gunzipSync(data).toString('utf8')) : data) as { batch: SentEvent[] };

  it('delivers track, identify, page, screen, group and alias onto events.raw as the SDK sent them', async () => {
    const rudder = new Rudder(RUDDER_KEY, { dataPlaneUrl: collector.httpUrl });
    const calls = Array.from({ length: 6 }, () => deliveryOf<unknown>());
    rudder.track({ userId: 'cust-2', event: 'Card Activated', properties: { last4: '4242', limit: 50_000 } }, calls[0]!.callback);
    rudder.identify({ userId: 'cust-2', traits: { segment: 'sme', city: '台北' } }, calls[1]!.callback);
    rudder.page({ anonymousId: 'web-3', category: 'Loans', name: 'Calculator', properties: { path: '/loans/calc' } }, calls[2]!.callback);
    rudder.screen({ userId: 'cust-2', name: 'Cards', properties: { count: 2 } }, calls[3]!.callback);
    rudder.group({ userId: 'cust-2', groupId: 'company-11', traits: { employees: 40 } }, calls[4]!.callback);
    rudder.alias({ userId: 'cust-2', previousId: 'web-3' }, calls[5]!.callback);
    await rudder.flush();
    const deliveries = await Promise.all(calls.map((call) => call.delivered));

    expect(deliveries.map((delivery) => delivery.error)).toEqual(Array(6).fill(undefined));
    const sent = new Map(deliveries.flatMap((delivery) => batchOf(delivery.detail).batch.map((event) => [event.messageId, event] as const)));
    const ids = [...sent.keys()];
    expect(ids).toHaveLength(6);
    await rawEvents.waitForProduced(ids);

    const records = ids.map((id) => rawEvents.produced.get(id)!);
    expect(records.map((record) => record.value.envelope.type)).toEqual(['track', 'identify', 'page', 'screen', 'group', 'alias']);
    for (const record of records) {
      const event = sent.get(record.value.envelope.messageId)!;
      // RudderStack SDKs send the call's time as originalTimestamp; it is the event's timestamp.
      expect(record.value.envelope).toEqual(expectedEnvelope(event, { source: `${run}-rudder`, channel: 'web', timestamp: event['originalTimestamp'], sentAt: event['sentAt'] }));
      expect(record.value.envelope.context['library']).toEqual({ name: 'analytics-node', version: expect.stringMatching(/^3\./) });
      expect(record.message.key?.toString()).toBe(record.value.envelope.userId ?? record.value.envelope.anonymousId);
    }
    const [track, identify, page, screen, group, alias] = records.map((record) => record.value.envelope);
    expect(track).toMatchObject({ event: 'Card Activated', userId: 'cust-2', properties: { last4: '4242', limit: 50_000 } });
    expect(identify).toMatchObject({ userId: 'cust-2', traits: { segment: 'sme', city: '台北' } });
    expect(page).toMatchObject({ anonymousId: 'web-3', category: 'Loans', name: 'Calculator', properties: { path: '/loans/calc' } });
    expect(screen).toMatchObject({ name: 'Cards', properties: { count: 2 } });
    expect(group).toMatchObject({ groupId: 'company-11', traits: { employees: 40 } });
    expect(alias).toMatchObject({ userId: 'cust-2', previousId: 'web-3' });
  });

  it('reports a wrong write key to the caller as a 401 failure, and nothing is produced', async () => {
    // The SDK sends the first event at once, on a flush of its own; without an errorHandler that
    // flush's failure is an unhandled rejection (which ends a Node process by default).
    const failures: unknown[] = [];
    const rudder = new Rudder(`${RUDDER_KEY}-wrong`, { dataPlaneUrl: collector.httpUrl, logLevel: 'none', errorHandler: (error) => failures.push(error) });
    const refused = deliveryOf<unknown>();
    rudder.track({ userId: `cust-${run}-401r`, event: 'Login' }, refused.callback);
    await rudder.flush();
    const { error, detail } = await refused.delivered;

    const statusOf = (failure: unknown) => (failure as { response?: { status?: number } }).response?.status;
    expect(failures.map(statusOf)).toEqual([401]);
    expect(statusOf(error)).toBe(401);
    await expectNeverProduced(batchOf(detail).batch[0]!.messageId, `cust-${run}-401r`);
  });
});

/**
 * Absence made observable: an event sent afterwards with the same user id (so the same partition,
 * read in order) arrives, and the refused one is not before it.
 */
async function expectNeverProduced(messageId: string, userId: string): Promise<void> {
  const later = `${run}-after-${messageId}`;
  const reply = await fetch(`${collector.httpUrl}/v1/track`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${SEGMENT_KEY}:`).toString('base64')}` },
    body: JSON.stringify({ messageId: later, event: 'Login', userId }),
  });
  expect(reply.status).toBe(200);
  await rawEvents.waitForProduced([later]);
  expect(rawEvents.produced.has(messageId)).toBe(false);
}
