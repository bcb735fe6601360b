import { connect, type Socket } from 'node:net';
import { credentials, Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { grpcJs } from '@kuroshio/contracts';
import type { RunningService } from '@kuroshio/service-kit';
import { uniqueName } from '@kuroshio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashWriteKey } from './auth/write-key.js';
import type { CollectorConfig } from './config.js';
import { lineSignature } from './line/line-signature.js';
import { startCollector } from './testing/collector-under-test.js';

const tenant = uniqueName('hostile');
const run = tenant.replace(/[^a-z0-9]/g, '');
const KEY = `wk-${run}`;
const LINE_SECRET = `line-${run}`;
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
const BODY_TIMEOUT_MS = 800;

let collector: RunningService<CollectorConfig>;

beforeAll(async () => {
  collector = await startCollector({
    COLLECTOR_SOURCES: JSON.stringify([
      { tenant, source: `${run}-web`, channel: 'web', writeKeySha256: hashWriteKey(KEY) },
      { tenant, source: `${run}-line`, channel: 'line', writeKeySha256: hashWriteKey(`${KEY}-line`), lineChannelSecret: LINE_SECRET },
    ]),
    COLLECTOR_BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
  });
});

afterAll(async () => {
  await collector?.close();
});

async function send(path: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(`${collector.httpUrl}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', authorization: basic(KEY), ...headers },
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as { reason?: string; error?: string; message?: string; rejected?: unknown[] } };
}

async function stillServing(): Promise<void> {
  const reply = await send('/v1/track', JSON.stringify({ messageId: `${run}-ok-${Math.random()}`, event: 'Login', userId: 'cust-1' }));
  expect(reply.status).toBe(200);
}

const deep = (depth: number) => `{"messageId":"d","event":"e","userId":"u","properties":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
const invalidUtf8 = Buffer.concat([Buffer.from('{"messageId":"x","event":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('","userId":"u"}')]);
const TEN_MB = Buffer.alloc(10 * 1024 * 1024, 0x20);

describe.each(['/v1/track', '/v1/batch'])('hostile input to %s', (path) => {
  const wrap = (event: string) => (path === '/v1/batch' ? `{"batch":[${event}]}` : event);

  it.each([
    ['malformed JSON', (): string | Buffer => '{"messageId": "x",', 400, 'malformed_json'],
    ['invalid UTF-8', (): string | Buffer => (path === '/v1/batch' ? Buffer.concat([Buffer.from('{"batch":['), invalidUtf8, Buffer.from(']}')]) : invalidUtf8), 400, 'invalid_utf8'],
    ['a JSON array instead of an object', (): string | Buffer => '[1,2,3]', 400, 'invalid_body'],
    ['a 10 MB body', (): string | Buffer => TEN_MB, 413, 'body_too_large'],
  ] as const)('%s', async (_name, body, status, reason) => {
    const reply = await send(path, body());
    expect(reply.status).toBe(status);
    expect(reply.body.reason).toBe(reason);
    expect(reply.body.message).toEqual(expect.any(String));
    await stillServing();
  });

  it.each([
    ['wrong types', '{"messageId":5,"type":"track","event":["x"],"userId":{"id":1}}', ['messageId', 'event', 'userId']],
    ['a __proto__ key', '{"messageId":"p","type":"track","event":"e","userId":"u","properties":{"__proto__":{"isAdmin":true}}}', ['properties.__proto__']],
    ['100,000-deep nesting', deep(100_000), ['properties.a[0][0][0][0][0][0][0][0][0]']],
  ] as const)('%s: the event is rejected with the path of each problem', async (_name, event, paths) => {
    const reply = await send(path, wrap(event.replace('"messageId":"d"', '"type":"track","messageId":"d"')));
    const rejected = (path === '/v1/batch' ? reply.body.rejected : (reply.body as { details?: { rejected?: unknown[] } }).details?.rejected) as {
      issues: { path: string }[];
    }[];
    expect(reply.status).toBe(path === '/v1/batch' ? 200 : 400);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.issues.map((issue) => issue.path)).toEqual(expect.arrayContaining([...paths]));
    expect(({} as Record<string, unknown>)['isAdmin']).toBeUndefined();
    await stillServing();
  });

  it.each([
    ['no write key', { authorization: '' }, 401, 'missing_write_key'],
    ['a wrong write key', { authorization: basic('guess') }, 401, 'unknown_write_key'],
    ['a bearer token', { authorization: 'Bearer abc' }, 401, 'malformed_authorization'],
    ['a wrong content type', { 'content-type': 'application/xml' }, 415, 'unsupported_content_type'],
    ['an unknown content encoding', { 'content-encoding': 'br' }, 400, 'unsupported_content_encoding'],
    ['corrupt gzip', { 'content-encoding': 'gzip' }, 400, 'invalid_gzip'],
  ] as const)('%s', async (_name, headers, status, reason) => {
    const reply = await send(path, wrap('{"type":"track","messageId":"h","event":"e","userId":"u"}'), headers);
    expect({ status: reply.status, reason: reply.body.reason }).toEqual({ status, reason });
    await stillServing();
  });
});

describe('hostile input to the batch limits', () => {
  it('a batch over the event limit is refused as a whole', async () => {
    const events = Array.from({ length: 2_501 }, (_, i) => `{"type":"track","messageId":"b${i}","event":"e","userId":"u"}`);
    const reply = await send('/v1/batch', `{"batch":[${events.join(',')}]}`);
    expect({ status: reply.status, reason: reply.body.reason }).toEqual({ status: 400, reason: 'too_many_events' });
    await stillServing();
  });

  it('a zip bomb is stopped at the decompressed limit', async () => {
    const { gzipSync } = await import('node:zlib');
    const bomb = gzipSync(Buffer.alloc(200 * 1024 * 1024, 0x20));
    const reply = await send('/v1/batch', bomb, { 'content-encoding': 'gzip' });
    expect({ status: reply.status, reason: reply.body.reason }).toEqual({ status: 413, reason: 'inflated_too_large' });
    await stillServing();
  });
});

describe('hostile input to the LINE webhook', () => {
  const path = () => `/v1/line/${run}-line`;
  const signed = (body: string | Buffer) => ({ 'x-line-signature': lineSignature(LINE_SECRET, Buffer.from(body)) });

  it('a correctly signed body that is not JSON gets 400, a wrong shape 400', async () => {
    expect((await send(path(), '{"events":', signed('{"events":'))).body.reason).toBe('malformed_json');
    expect((await send(path(), '{"events":{}}', signed('{"events":{}}'))).body.reason).toBe('invalid_webhook_body');
    await stillServing();
  });

  it('a 10 MB body gets 413 before any signature work; an unsigned body 401', async () => {
    expect((await send(path(), TEN_MB, signed('x'))).status).toBe(413);
    expect((await send(path(), '{"events":[]}', { 'x-line-signature': 'A'.repeat(43) + '=' })).status).toBe(401);
    await stillServing();
  });
});

describe('slow clients', () => {
  it('a body trickled slower than the timeout gets 408 and a closed connection, within a bound', async () => {
    const { port } = new URL(collector.httpUrl);
    const started = Date.now();
    const outcome = await new Promise<{ response: string; closed: boolean }>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1');
      let response = '';
      socket.on('data', (chunk) => (response += chunk.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(trickle);
        resolve({ response, closed: true });
      });
      socket.write(
        `POST /v1/track HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: ${basic(KEY)}\r\nContent-Length: 1000\r\n\r\n{`,
      );
      const trickle = setInterval(() => socket.write(' '), 100);
    });
    expect(outcome.closed).toBe(true);
    expect(outcome.response).toMatch(/^HTTP\/1\.1 408/);
    expect(outcome.response).toContain('body_timeout');
    expect(Date.now() - started).toBeLessThan(BODY_TIMEOUT_MS + 3_000);
    await stillServing();
  });
});

describe('bodies that are declared but never sent', () => {
  // A budget of 1 MiB (the smallest allowed): two declared 500 KB bodies used to fill it.
  const BUDGET = 1024 * 1024;
  let small: RunningService<CollectorConfig>;
  const held: Socket[] = [];

  beforeAll(async () => {
    small = await startCollector({
      COLLECTOR_SOURCES: JSON.stringify([{ tenant, source: `${run}-small`, channel: 'web', writeKeySha256: hashWriteKey(KEY) }]),
      COLLECTOR_MAX_IN_FLIGHT_BYTES: String(BUDGET),
      COLLECTOR_BODY_TIMEOUT_MS: '20000',
    });
  });

  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await small?.close();
  });

  /** Opens a request declaring `declared` bytes, sends `sent` of them without a write key, and keeps the socket open. */
  async function hold(declared: number, sent: number): Promise<Socket> {
    const { port } = new URL(small.httpUrl);
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => undefined);
    held.push(socket);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(`POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`);
    socket.write(Buffer.alloc(sent, 0x20));
    return socket;
  }

  const post = async () => {
    const response = await fetch(`${small.httpUrl}/v1/track`, {
      method: 'POST',
      body: JSON.stringify({ messageId: `${run}-small-${Math.random()}`, event: 'Login', userId: 'cust-1' }),
      headers: { 'content-type': 'application/json', authorization: basic(KEY) },
    });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as { reason?: string } };
  };

  it('hold only the bytes they sent: unauthenticated declarations adding up to the budget do not refuse a real request', async () => {
    await hold(500_000, 1);
    await hold(500_000, 1);
    await hold(BUDGET - 2 * 500_000 - 10, 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await post()).status).toBe(200);
    for (const socket of held.splice(0)) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 300));
  });

  it('bytes actually held still bound memory: past the budget a request gets 503 with Retry-After', async () => {
    // Unfinished bodies holding all but 20 bytes of the budget (each request also holds 1 byte from admission on).
    await hold(500_000, 499_999);
    await hold(500_000, 499_999);
    await hold(100_000, BUDGET - 2 * 499_999 - 3 - 20);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const refused = await post();
    expect({ status: refused.status, reason: refused.body.reason }).toEqual({ status: 503, reason: 'overloaded' });
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    for (const socket of held.splice(0)) socket.destroy();
    // Their bytes go back once the server sees the connections close.
    const deadline = Date.now() + 5_000;
    let status = refused.status;
    while (status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await post()).status;
    }
    expect(status).toBe(200);
  });
});

describe('hostile input over gRPC', () => {
  it('a batch over the event limit is INVALID_ARGUMENT and a bad key UNAUTHENTICATED; the server keeps serving', async () => {
    const client = new grpcJs.ingest.v1.IngestServiceClient(collector.grpcAddress!, credentials.createInsecure());
    const metadata = new Metadata();
    metadata.set('authorization', basic(KEY));
    const event = grpcJs.ingest.v1.Event.fromPartial({ messageId: 'g', type: grpcJs.ingest.v1.EventType.EVENT_TYPE_TRACK, event: 'e', userId: 'u' });
    const call = (events: grpcJs.ingest.v1.Event[], md: Metadata) =>
      new Promise<ServiceError | null>((resolve) => client.ingestBatch({ events }, md, (error) => resolve(error)));
    expect((await call(Array.from({ length: 2_501 }, () => event), metadata))?.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    const wrong = new Metadata();
    wrong.set('authorization', 'Basic !!!');
    expect((await call([event], wrong))?.code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(await call([grpcJs.ingest.v1.Event.fromPartial({ ...event, messageId: `${run}-grpc-ok` })], metadata)).toBeNull();
    client.close();
    await stillServing();
  });
});
