import { randomBytes } from 'node:crypto';
import { credentials, Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { grpcJs } from '@kuroshio/contracts';
import type { RunningService } from '@kuroshio/service-kit';
import { startTracing, type StopTracing } from '@kuroshio/telemetry';
import { uniqueName } from '@kuroshio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashWriteKey } from './auth/write-key.js';
import type { CollectorConfig } from './config.js';
import { lineSignature } from './line/line-signature.js';
import { startCollector } from './testing/collector-under-test.js';
import { tailRawEvents, type RawEventsTail } from './testing/raw-events-tail.js';

const tenant = uniqueName('it');
const run = tenant.replace(/[^a-z0-9]/g, '');
const WEB_KEY = `wk-web-${run}`;
const LIMITED_KEY = `wk-limited-${run}`;
const LINE_SECRET = `line-secret-${run}`;
const sources = [
  { tenant, source: `${run}-web`, channel: 'web', writeKeySha256: hashWriteKey(WEB_KEY) },
  { tenant, source: `${run}-iot`, channel: 'iot', writeKeySha256: hashWriteKey(LIMITED_KEY), rateLimit: { eventsPerSecond: 1, burst: 3 } },
  { tenant, source: `${run}-line`, channel: 'line', allowedChannels: ['line'], writeKeySha256: hashWriteKey(`wk-line-${run}`), lineChannelSecret: LINE_SECRET },
];
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

let collector: RunningService<CollectorConfig>;
let rawEvents: RawEventsTail;
let stopTracing: StopTracing;

beforeAll(async () => {
  stopTracing = startTracing({ serviceName: 'collector-it' });
  collector = await startCollector({ COLLECTOR_SOURCES: JSON.stringify(sources), COLLECTOR_BODY_TIMEOUT_MS: '1000' });
  rawEvents = await tailRawEvents(tenant, 'collector-it');
});

afterAll(async () => {
  await rawEvents?.close();
  await collector?.close();
  await stopTracing?.();
});

async function post(path: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(`${collector.httpUrl}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}


describe('Segment HTTP API', () => {
  it('accepts the good events of a batch onto events.raw and reports each bad one by index', async () => {
    const ids = [0, 1, 2, 3, 4].map((i) => `${run}-seg-${i}`);
    const reply = await post(
      '/v1/batch',
      JSON.stringify({
        batch: [
          { type: 'track', messageId: ids[0], event: 'Transfer Completed', userId: 'cust-1', properties: { amount: 1200, currency: 'TWD' } },
          { type: 'track', messageId: ids[1], userId: 'cust-1' },
          { type: 'identify', messageId: ids[2], anonymousId: 'anon-7', traits: { segment: 'retail' } },
          { type: 'page', messageId: ids[3], userId: 'cust-2', timestamp: 'yesterday' },
          { type: 'screen', messageId: ids[4], userId: 'cust-3', name: 'Home', context: { channel: 'app' } },
        ],
      }),
      { authorization: basic(WEB_KEY) },
    );
    expect(reply.status).toBe(200);
    expect(reply.body['accepted']).toBe(3);
    expect((reply.body['rejected'] as { index: number; messageId: string; code: string; reason: string }[]).map(({ index, code, reason }) => ({ index, code, reason }))).toEqual([
      { index: 1, code: 'invalid_envelope', reason: 'event: required for track' },
      { index: 3, code: 'invalid_envelope', reason: expect.stringContaining('timestamp') },
    ]);

    await rawEvents.waitForProduced([ids[0]!, ids[2]!, ids[4]!]);
    const first = rawEvents.produced.get(ids[0]!)!;
    expect(first.message.key?.toString()).toBe('cust-1');
    expect(rawEvents.produced.get(ids[2]!)!.message.key?.toString()).toBe('anon-7');
    expect(first.message.headers['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-9a-f]$/);
    expect(first.value.envelope).toMatchObject({ tenant, source: `${run}-web`, context: { channel: 'web' }, properties: { amount: 1200 } });
    expect(rawEvents.produced.get(ids[4]!)!.value.envelope.context.channel).toBe('app');
    expect(first.value.ingest).toMatchObject({ transport: 'http', batchIndex: 0 });
    expect(Date.parse(first.value.envelope.receivedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(rawEvents.produced.has(ids[1]!)).toBe(false);
  });

  it("continues the caller's trace when the request carries a W3C traceparent", async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const [continued, fresh] = [`${run}-tp-1`, `${run}-tp-2`];
    const withParent = await post('/v1/track', JSON.stringify({ messageId: continued, event: 'Login', userId: 'cust-tp' }), {
      authorization: basic(WEB_KEY),
      traceparent: `00-${traceId}-${callerSpan}-01`,
    });
    const without = await post('/v1/track', JSON.stringify({ messageId: fresh, event: 'Login', userId: 'cust-tp' }), { authorization: basic(WEB_KEY) });
    expect([withParent.status, without.status]).toEqual([200, 200]);
    await rawEvents.waitForProduced([continued, fresh]);
    // Same trace as the caller, the collector's own span as the parent of what the ETL does next.
    const [version, recordTrace, recordSpan, flags] = rawEvents.produced.get(continued)!.message.headers['traceparent']!.split('-');
    expect({ version, recordTrace, flags }).toEqual({ version: '00', recordTrace: traceId, flags: '01' });
    expect(recordSpan).toMatch(/^[0-9a-f]{16}$/);
    expect(recordSpan).not.toBe(callerSpan);
    expect(rawEvents.produced.get(fresh)!.message.headers['traceparent']!.split('-')[1]).not.toBe(traceId);
  });

  it('takes a gzip body and the write key from the body, as analytics.js sends it', async () => {
    const { gzipSync } = await import('node:zlib');
    const id = `${run}-gz`;
    const reply = await post('/v1/track', gzipSync(JSON.stringify({ writeKey: WEB_KEY, messageId: id, event: 'Login', userId: 'cust-9' })), {
      'content-type': 'text/plain',
      'content-encoding': 'gzip',
    });
    expect(reply).toMatchObject({ status: 200, body: { success: true, accepted: 1, rejected: [] } });
    await rawEvents.waitForProduced([id]);
  });

  it('answers 429 with Retry-After beyond the source rate limit', async () => {
    const event = (i: number) => ({ type: 'track', messageId: `${run}-rl-${i}`, event: 'Ping', userId: 'gw-1' });
    const ok = await post('/v1/batch', JSON.stringify({ batch: [event(0), event(1), event(2)] }), { authorization: basic(LIMITED_KEY) });
    expect(ok.status).toBe(200);
    const limited = await post('/v1/batch', JSON.stringify({ batch: [event(3), event(4)] }), { authorization: basic(LIMITED_KEY) });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: 'RESOURCE_EXHAUSTED', reason: 'rate_limited' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});

describe('LINE webhook', () => {
  const webhookBody = (eventId: string) =>
    JSON.stringify({
      destination: 'Ubot',
      events: [
        { type: 'message', mode: 'active', timestamp: 1_767_225_600_000, webhookEventId: eventId, source: { type: 'user', userId: 'Uline1' }, deliveryContext: { isRedelivery: false }, replyToken: 'r', message: { id: '1', type: 'text', text: 'hello' } },
        { type: 'join', mode: 'active', timestamp: 1_767_225_600_000, webhookEventId: `${eventId}-join`, source: { type: 'group', groupId: 'C1' }, deliveryContext: { isRedelivery: false } },
      ],
    });

  it('produces the events of a correctly signed webhook with channel line', async () => {
    const eventId = `${run}-line-ok`;
    const body = webhookBody(eventId);
    const reply = await post(`/v1/line/${run}-line`, body, { 'x-line-signature': lineSignature(LINE_SECRET, Buffer.from(body)) });
    expect(reply).toMatchObject({ status: 200, body: { accepted: 1, rejected: [], skipped: [{ index: 1, type: 'join' }] } });
    await rawEvents.waitForProduced([eventId]);
    const record = rawEvents.produced.get(eventId)!;
    expect(record.message.key?.toString()).toBe('Uline1');
    expect(record.value.envelope).toMatchObject({ event: 'LINE Message Received', timestamp: '2026-01-01T00:00:00.000Z', context: { channel: 'line' } });
    expect(record.value.ingest.transport).toBe('line-webhook');
  });

  it('answers 401 to a bad or missing signature and produces nothing', async () => {
    const eventId = `${run}-line-bad`;
    const body = webhookBody(eventId);
    const forged = await post(`/v1/line/${run}-line`, body, { 'x-line-signature': lineSignature('wrong-secret', Buffer.from(body)) });
    const tampered = await post(`/v1/line/${run}-line`, body.replace('hello', 'hellO'), { 'x-line-signature': lineSignature(LINE_SECRET, Buffer.from(body)) });
    const unsigned = await post(`/v1/line/${run}-line`, body);
    for (const reply of [forged, tampered, unsigned]) expect(reply).toMatchObject({ status: 401, body: { reason: 'invalid_signature' } });
    expect((await post(`/v1/line/${run}-web`, body)).status).toBe(404);
    // A correctly signed webhook sent after the bad ones arrives; the bad ones never do.
    const later = `${run}-line-after`;
    const goodBody = webhookBody(later);
    expect((await post(`/v1/line/${run}-line`, goodBody, { 'x-line-signature': lineSignature(LINE_SECRET, Buffer.from(goodBody)) })).status).toBe(200);
    await rawEvents.waitForProduced([later]);
    expect(rawEvents.produced.has(eventId)).toBe(false);
  });
});

describe('gRPC IngestService', () => {
  const Event = grpcJs.ingest.v1.Event;
  const track = (messageId: string, userId: string) =>
    Event.fromPartial({ messageId, type: grpcJs.ingest.v1.EventType.EVENT_TYPE_TRACK, event: 'Meter Reading', userId, properties: { kwh: 1.5 } });
  const client = () => new grpcJs.ingest.v1.IngestServiceClient(collector.grpcAddress!, credentials.createInsecure());
  const auth = (key: string) => {
    const metadata = new Metadata();
    metadata.set('authorization', basic(key));
    return metadata;
  };

  it('ingests a unary batch with per-event results', async () => {
    const c = client();
    const ids = [`${run}-g-0`, `${run}-g-1`];
    const reply = await new Promise<grpcJs.ingest.v1.IngestBatchResponse>((resolve, reject) =>
      c.ingestBatch({ events: [track(ids[0]!, 'meter-1'), Event.fromPartial({ messageId: ids[1] })] }, auth(WEB_KEY), (error, response) => (error ? reject(error) : resolve(response))),
    );
    c.close();
    expect(reply.acceptedCount).toBe(1);
    expect(reply.rejections).toHaveLength(1);
    expect(reply.rejections[0]).toMatchObject({ index: 1, messageId: ids[1], code: grpcJs.ingest.v1.RejectionCode.REJECTION_CODE_INVALID_ENVELOPE });
    await rawEvents.waitForProduced([ids[0]!]);
    expect(rawEvents.produced.get(ids[0]!)!.value.envelope).toMatchObject({ properties: { kwh: 1.5 }, context: { channel: 'web' } });
    expect(rawEvents.produced.get(ids[0]!)!.value.ingest.transport).toBe('grpc');
  });

  it('ingests a client stream, counting indexes across chunks', async () => {
    const c = client();
    const ids = Array.from({ length: 30 }, (_, i) => `${run}-gs-${i}`);
    const reply = await new Promise<grpcJs.ingest.v1.IngestStreamResponse>((resolve, reject) => {
      const call = c.ingestStream(auth(WEB_KEY), (error, response) => (error ? reject(error) : resolve(response)));
      for (let chunk = 0; chunk < 3; chunk += 1) {
        const events = ids.slice(chunk * 10, chunk * 10 + 10).map((id) => track(id, `meter-${chunk}`));
        if (chunk === 2) events[5] = Event.fromPartial({ messageId: ids[25], type: grpcJs.ingest.v1.EventType.EVENT_TYPE_TRACK, userId: 'm' });
        call.write({ events });
      }
      call.end();
    });
    c.close();
    expect(reply).toMatchObject({ receivedCount: 30, acceptedCount: 29 });
    expect(reply.rejections.map((r) => r.index)).toEqual([25]);
    await rawEvents.waitForProduced(ids.filter((_, i) => i !== 25));
  });

  it('refuses a missing or wrong write key with UNAUTHENTICATED', async () => {
    const c = client();
    for (const metadata of [new Metadata(), auth('not-a-key')]) {
      const error = await new Promise<ServiceError>((resolve) => c.ingestBatch({ events: [track(`${run}-x`, 'u')] }, metadata, (e) => resolve(e!)));
      expect(error.code).toBe(GrpcStatus.UNAUTHENTICATED);
    }
    c.close();
  });
});

describe('with Kafka unavailable', () => {
  let down: RunningService<CollectorConfig>;
  beforeAll(async () => {
    down = await startCollector({ COLLECTOR_SOURCES: JSON.stringify(sources), KAFKA_BROKERS: '127.0.0.1:1', COLLECTOR_DELIVERY_TIMEOUT_MS: '1500' });
  });
  afterAll(async () => {
    await down?.close();
  });

  it('answers 503 with Retry-After over HTTP, never 2xx', async () => {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const response = await fetch(`${down.httpUrl}/v1/track`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basic(WEB_KEY) },
        body: JSON.stringify({ messageId: `${run}-down-${attempt}`, event: 'Login', userId: 'u' }),
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(await response.json()).toMatchObject({ error: 'UNAVAILABLE', reason: 'kafka_unavailable' });
    }
  });

  it('fails gRPC calls with UNAVAILABLE', async () => {
    const c = new grpcJs.ingest.v1.IngestServiceClient(down.grpcAddress!, credentials.createInsecure());
    const metadata = new Metadata();
    metadata.set('authorization', basic(WEB_KEY));
    const event = grpcJs.ingest.v1.Event.fromPartial({ messageId: `${run}-down-g`, type: grpcJs.ingest.v1.EventType.EVENT_TYPE_TRACK, event: 'x', userId: 'u' });
    const error = await new Promise<ServiceError | null>((resolve) => c.ingestBatch({ events: [event] }, metadata, (e) => resolve(e)));
    c.close();
    expect(error?.code).toBe(GrpcStatus.UNAVAILABLE);
  });
});
