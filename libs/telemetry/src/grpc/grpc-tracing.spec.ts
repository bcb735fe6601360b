import {
  Metadata,
  Server,
  ServerCredentials,
  credentials,
  makeGenericClientConstructor,
  status as GrpcStatus,
  type Client,
  type ClientOptions,
  type Interceptor,
  type ServerDuplexStream,
  type ServerInterceptor,
  type ServerUnaryCall,
  type ServiceDefinition,
  type ServiceError,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { withSpan } from '../spans.js';
import { flushSpans, startTracing, type StopTracing } from '../tracing.js';
import { grpcClientTracing, tracedClientOptions } from './grpc-client-tracing.js';
import { grpcServerTracing } from './grpc-server-tracing.js';
import { rpcMethodOf } from './rpc-span.js';

// A real grpc-js server and client on loopback (JSON-serialised messages, no protos): the
// interceptors are grpc-js's, so only real calls show what they see and when.

interface Message {
  text: string;
}

const json = { serialize: (value: Message) => Buffer.from(JSON.stringify(value)), deserialize: (bytes: Buffer) => JSON.parse(bytes.toString()) as Message };
const method = (name: string, streaming: boolean) => ({
  path: `/kuroshio.testing.v1.Echo/${name}`,
  requestStream: streaming,
  responseStream: streaming,
  requestSerialize: json.serialize,
  requestDeserialize: json.deserialize,
  responseSerialize: json.serialize,
  responseDeserialize: json.deserialize,
});
const ECHO: ServiceDefinition = { Echo: method('Echo', false), Chat: method('Chat', true) };
const PROBE: ServiceDefinition = { Check: { ...method('Check', false), path: '/grpc.health.v1.Health/Check' } };
const EchoClient = makeGenericClientConstructor(ECHO, 'Echo');
const ProbeClient = makeGenericClientConstructor(PROBE, 'Health');

const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';

/** What a handler saw of the active trace, synchronously and after an await. */
interface Seen {
  readonly traceparent: string | undefined;
  readonly spanId: string | undefined;
  readonly spanIdAfterAwait: string | undefined;
}

const exporter = new InMemorySpanExporter();
let stopTracing: StopTracing;
let server: Server;
let address: string;
const seen: Seen[] = [];
let lastCall: { cancelled: Promise<void> } | undefined;

const activeSpanId = () => trace.getActiveSpan()?.spanContext().spanId;

async function handleEcho(call: ServerUnaryCall<Message, Message>, callback: sendUnaryData<Message>): Promise<void> {
  const spanId = activeSpanId();
  await new Promise((resolve) => setImmediate(resolve));
  seen.push({ traceparent: call.metadata.get('traceparent')[0]?.toString(), spanId, spanIdAfterAwait: activeSpanId() });
  const text = call.request.text;
  if (text === 'missing') return callback({ code: GrpcStatus.NOT_FOUND, details: 'nothing to echo' });
  if (text === 'broken') return callback({ code: GrpcStatus.INTERNAL, details: 'echo broke' });
  if (text === 'hang') {
    // Never answers: the client cancels or its deadline passes.
    lastCall = { cancelled: new Promise((resolve) => call.once('cancelled', () => resolve())) };
    return;
  }
  callback(null, { text });
}

function handleChat(call: ServerDuplexStream<Message, Message>): void {
  const spanId = activeSpanId();
  call.on('data', (message: Message) => {
    seen.push({ traceparent: call.metadata.get('traceparent')[0]?.toString(), spanId, spanIdAfterAwait: activeSpanId() });
    call.write({ text: message.text.toUpperCase() });
  });
  call.on('end', () => call.end());
}

async function startServer(interceptors: ServerInterceptor[]): Promise<{ server: Server; address: string }> {
  const instance = new Server({ interceptors });
  instance.addService(ECHO, { Echo: handleEcho, Chat: handleChat });
  instance.addService(PROBE, { Check: (_call: ServerUnaryCall<Message, Message>, callback: sendUnaryData<Message>) => callback(null, { text: 'SERVING' }) });
  const port = await new Promise<number>((resolve, reject) => instance.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
  return { server: instance, address: `127.0.0.1:${port}` };
}

function unary(client: Client, text: string, metadata = new Metadata(), options: { deadline?: number } = {}): Promise<Message> {
  return new Promise((resolve, reject) =>
    (client as unknown as Record<string, (...args: unknown[]) => unknown>)['Echo']?.({ text }, metadata, options, (error: ServiceError | null, reply: Message) => (error ? reject(error) : resolve(reply))),
  );
}

function echoClient(options?: ClientOptions): Client {
  return new EchoClient(address, credentials.createInsecure(), options);
}

async function finished(): Promise<ReadableSpan[]> {
  await flushSpans();
  return exporter.getFinishedSpans();
}

async function eventually<T>(find: () => Promise<T | undefined>, timeoutMs = 3_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('not seen in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const serverSpans = (spans: ReadableSpan[]) => spans.filter((span) => span.kind === SpanKind.SERVER);

beforeAll(async () => {
  stopTracing = startTracing({ serviceName: 'grpc-tracing-test', spanExporter: exporter });
  ({ server, address } = await startServer([grpcServerTracing({ untracedServices: ['grpc.health.v1.Health'] })]));
});
afterAll(async () => {
  server.forceShutdown();
  await stopTracing();
});
afterEach(() => {
  exporter.reset();
  seen.length = 0;
});

describe('rpcMethodOf', () => {
  it('names the span <package.Service>/<Method> with the RPC attributes', () => {
    expect(rpcMethodOf('/kuroshio.features.v1.FeatureService/GetOnlineFeatures')).toEqual({
      name: 'kuroshio.features.v1.FeatureService/GetOnlineFeatures',
      service: 'kuroshio.features.v1.FeatureService',
      attributes: { 'rpc.system': 'grpc', 'rpc.service': 'kuroshio.features.v1.FeatureService', 'rpc.method': 'GetOnlineFeatures' },
    });
  });
});

describe('server interceptor', () => {
  it("continues the caller's trace from traceparent metadata and runs the handler inside the span", async () => {
    const client = echoClient();
    const metadata = new Metadata();
    metadata.set('traceparent', `00-${CALLER_TRACE}-${CALLER_SPAN}-01`);
    metadata.set('tracestate', 'vendor=opaque');
    try {
      expect(await unary(client, 'hello', metadata)).toEqual({ text: 'hello' });
    } finally {
      client.close();
    }
    const [span] = serverSpans(await finished());
    expect(span?.name).toBe('kuroshio.testing.v1.Echo/Echo');
    expect(span?.spanContext().traceId).toBe(CALLER_TRACE);
    expect(span?.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(span?.spanContext().traceState?.get('vendor')).toBe('opaque');
    expect(span?.attributes).toEqual({ 'rpc.system': 'grpc', 'rpc.service': 'kuroshio.testing.v1.Echo', 'rpc.method': 'Echo', 'rpc.grpc.status_code': GrpcStatus.OK });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    // The handler's synchronous part and its continuations see the server span as active.
    expect(seen).toEqual([{ traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`, spanId: span?.spanContext().spanId, spanIdAfterAwait: span?.spanContext().spanId }]);
  });

  it('starts a new trace when the caller sends none, and ignores a malformed traceparent', async () => {
    const client = echoClient();
    const metadata = new Metadata();
    metadata.set('traceparent', 'not-a-traceparent');
    try {
      await unary(client, 'a');
      await unary(client, 'b', metadata);
    } finally {
      client.close();
    }
    const spans = serverSpans(await finished());
    expect(spans).toHaveLength(2);
    for (const span of spans) expect(span.parentSpanContext).toBeUndefined();
    expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(2);
  });

  it('records the status code; only server-side failures mark the span failed', async () => {
    const client = echoClient();
    try {
      await expect(unary(client, 'missing')).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND });
      await expect(unary(client, 'broken')).rejects.toMatchObject({ code: GrpcStatus.INTERNAL });
    } finally {
      client.close();
    }
    const spans = serverSpans(await finished());
    const byCode = new Map(spans.map((span) => [span.attributes['rpc.grpc.status_code'], span.status]));
    // NOT_FOUND is the caller's problem (OTel RPC conventions): the server span stays unset.
    expect(byCode.get(GrpcStatus.NOT_FOUND)).toEqual({ code: SpanStatusCode.UNSET });
    expect(byCode.get(GrpcStatus.INTERNAL)).toEqual({ code: SpanStatusCode.ERROR, message: 'INTERNAL: echo broke' });
  });

  it('ends the span of a call the client cancels (CANCELLED) or lets expire (DEADLINE_EXCEEDED)', async () => {
    const client = echoClient();
    try {
      const call = (client as unknown as Record<string, (...args: unknown[]) => { cancel(): void }>)['Echo']?.({ text: 'hang' }, new Metadata(), () => undefined);
      await eventually(async () => lastCall);
      const cancelled = lastCall!.cancelled;
      call?.cancel();
      await cancelled;
      await expect(unary(client, 'hang', new Metadata(), { deadline: Date.now() + 150 })).rejects.toMatchObject({ code: GrpcStatus.DEADLINE_EXCEEDED });
    } finally {
      client.close();
    }
    const spans = await eventually(async () => {
      const ended = serverSpans(await finished());
      return ended.length === 2 ? ended : undefined;
    });
    const codes = spans.map((span) => [span.attributes['rpc.grpc.status_code'], span.status.code]).sort();
    expect(codes).toEqual([
      [GrpcStatus.CANCELLED, SpanStatusCode.UNSET],
      [GrpcStatus.DEADLINE_EXCEEDED, SpanStatusCode.ERROR],
    ]);
  });

  it('gives a bidirectional stream one span, active for its messages, ended with the stream', async () => {
    const client = echoClient();
    const metadata = new Metadata();
    metadata.set('traceparent', `00-${CALLER_TRACE}-${CALLER_SPAN}-01`);
    const replies: string[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        const stream = (client as unknown as Record<string, (metadata: Metadata) => NodeJS.ReadWriteStream & { write(m: Message): void }>)['Chat']!(metadata);
        stream.on('data', (reply: Message) => replies.push(reply.text));
        stream.on('error', reject);
        stream.on('end', () => resolve());
        stream.write({ text: 'one' });
        stream.write({ text: 'two' });
        stream.end();
      });
    } finally {
      client.close();
    }
    expect(replies).toEqual(['ONE', 'TWO']);
    const [span, ...others] = serverSpans(await finished());
    expect(others).toEqual([]);
    expect(span?.name).toBe('kuroshio.testing.v1.Echo/Chat');
    expect(span?.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(span?.attributes['rpc.grpc.status_code']).toBe(GrpcStatus.OK);
    expect(seen.map((s) => [s.spanId, s.spanIdAfterAwait])).toEqual([
      [span?.spanContext().spanId, span?.spanContext().spanId],
      [span?.spanContext().spanId, span?.spanContext().spanId],
    ]);
  });

  it('leaves the services it is told to alone (health probes)', async () => {
    const probe = new ProbeClient(address, credentials.createInsecure());
    try {
      await new Promise((resolve, reject) =>
        (probe as unknown as Record<string, (...args: unknown[]) => unknown>)['Check']?.({ text: '' }, (error: ServiceError | null, reply: Message) => (error ? reject(error) : resolve(reply))),
      );
    } finally {
      probe.close();
    }
    expect(await finished()).toEqual([]);
  });
});

describe('client interceptor', () => {
  it('sends the client span as traceparent; the server span is its child, the client span the caller’s', async () => {
    const client = echoClient(tracedClientOptions());
    let callerSpanId: string | undefined;
    try {
      await withSpan('caller', {}, async (caller) => {
        callerSpanId = caller.spanContext().spanId;
        await new Promise<void>((resolve, reject) =>
          (client as unknown as Record<string, (...args: unknown[]) => unknown>)['Echo']?.({ text: 'hi' }, new Metadata(), (error: ServiceError | null) => (error ? reject(error) : resolve())),
        );
      });
    } finally {
      client.close();
    }
    const spans = await finished();
    const clientSpan = spans.find((span) => span.kind === SpanKind.CLIENT);
    const serverSpan = spans.find((span) => span.kind === SpanKind.SERVER);
    expect(clientSpan?.name).toBe('kuroshio.testing.v1.Echo/Echo');
    expect(clientSpan?.parentSpanContext?.spanId).toBe(callerSpanId);
    expect(clientSpan?.attributes).toEqual({ 'rpc.system': 'grpc', 'rpc.service': 'kuroshio.testing.v1.Echo', 'rpc.method': 'Echo', 'rpc.grpc.status_code': GrpcStatus.OK });
    expect(serverSpan?.parentSpanContext?.spanId).toBe(clientSpan?.spanContext().spanId);
    expect(serverSpan?.spanContext().traceId).toBe(clientSpan?.spanContext().traceId);
    expect(seen[0]?.traceparent).toBe(`00-${clientSpan?.spanContext().traceId}-${clientSpan?.spanContext().spanId}-01`);
  });

  it('runs each callback in its own caller’s context, also for calls queued behind one connection attempt', async () => {
    const client = echoClient(tracedClientOptions());
    const call = (name: string) =>
      withSpan(name, {}, (span) =>
        new Promise<boolean>((resolve, reject) =>
          (client as unknown as Record<string, (...args: unknown[]) => unknown>)['Echo']?.({ text: name }, new Metadata(), (error: ServiceError | null) =>
            error ? reject(error) : resolve(activeSpanId() === span.spanContext().spanId),
          ),
        ),
      );
    try {
      // Both wait for the channel the first one starts connecting; grpc-js then starts both from there.
      expect(await Promise.all([call('first'), call('second'), call('third')])).toEqual([true, true, true]);
    } finally {
      client.close();
    }
  });

  it('marks the client span failed on any non-OK status, with the code and details', async () => {
    const client = echoClient(tracedClientOptions());
    try {
      await expect(unary(client, 'missing')).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND });
    } finally {
      client.close();
    }
    const clientSpan = (await finished()).find((span) => span.kind === SpanKind.CLIENT);
    expect(clientSpan?.attributes['rpc.grpc.status_code']).toBe(GrpcStatus.NOT_FOUND);
    expect(clientSpan?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'NOT_FOUND: nothing to echo' });
    // Without an active span the call starts a trace of its own.
    expect(clientSpan?.parentSpanContext).toBeUndefined();
  });

  it('ends the client span of a call that cannot connect (UNAVAILABLE)', async () => {
    const unreachable = new EchoClient('127.0.0.1:1', credentials.createInsecure(), tracedClientOptions());
    try {
      await expect(unary(unreachable, 'x', new Metadata(), { deadline: Date.now() + 2_000 })).rejects.toMatchObject({ code: GrpcStatus.UNAVAILABLE });
    } finally {
      unreachable.close();
    }
    const [span] = await finished();
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.attributes['rpc.grpc.status_code']).toBe(GrpcStatus.UNAVAILABLE);
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('tracedClientOptions keeps the given options and puts tracing before their interceptors', () => {
    const other: Interceptor = (options, next) => next(options) as never;
    expect(tracedClientOptions({ 'grpc.max_send_message_length': 1024, interceptors: [other] })).toEqual({
      'grpc.max_send_message_length': 1024,
      interceptors: [grpcClientTracing, other],
    });
  });
});
