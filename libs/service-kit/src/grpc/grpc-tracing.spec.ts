import { fileURLToPath } from 'node:url';
import { credentials, loadPackageDefinition, Metadata, status as GrpcStatus, type Client, type GrpcObject, type ServiceClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { Controller, Module } from '@nestjs/common';
import { GrpcMethod, GrpcStreamMethod } from '@nestjs/microservices';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { composeConfig, loadConfig, serviceConfig } from '@kuroshio/config';
import { createLogger, flushSpans, InMemorySpanExporter, startTracing, tracedClientOptions, withSpan, type StopTracing } from '@kuroshio/telemetry';
import { concatMap, from, type Observable } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../errors/domain-error.js';
import { startService, type RunningService } from '../start-service.js';
import { freePort } from '../testing/test-service.js';
import { healthStatus } from '../testing/grpc-clients.js';

// Through Nest's ServerGrpc as every service runs it: the kit's server interceptor gives each call
// a span that continues the caller's trace, is active while the Nest handler runs (unary and
// streaming), and ends with the status the error filters produced.

const CHAT_PROTO = fileURLToPath(new URL('../testing/fixtures/chat.proto', import.meta.url));

interface ChatLine {
  text: string;
}

const activeSpanId = () => trace.getActiveSpan()?.spanContext().spanId ?? 'none';

@Controller()
class ChatController {
  /** Answers with the span active in the handler, then with the one active after an await inside a child span. */
  @GrpcMethod('ChatService', 'Say')
  async say(line: ChatLine): Promise<ChatLine> {
    if (line.text === 'missing') throw new DomainError('NOT_FOUND', 'nothing to say', { reason: 'chat_not_found' });
    if (line.text === 'crash') throw new Error('handler bug');
    const handler = activeSpanId();
    const child = await withSpan('chat work', {}, async (span) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return `${span.spanContext().spanId}:${activeSpanId()}`;
    });
    return { text: `${handler}|${child}` };
  }

  @GrpcStreamMethod('ChatService', 'Converse')
  converse(lines: Observable<ChatLine>): Observable<ChatLine> {
    return lines.pipe(concatMap((line) => from(new Promise<ChatLine>((resolve) => setImmediate(() => resolve({ text: `${line.text}:${activeSpanId()}` }))))));
  }
}

@Module({ controllers: [ChatController] })
class ChatModule {}

const exporter = new InMemorySpanExporter();
let stopTracing: StopTracing;
let service: RunningService<unknown>;
let chat: Client & Record<string, (...args: unknown[]) => unknown>;

function say(text: string): Promise<ChatLine> {
  return new Promise((resolve, reject) => chat['Say']?.({ text }, new Metadata(), (error: ServiceError | null, reply: ChatLine) => (error ? reject(error) : resolve(reply))));
}

async function finished(): Promise<ReadableSpan[]> {
  await flushSpans();
  return exporter.getFinishedSpans();
}

beforeAll(async () => {
  stopTracing = startTracing({ serviceName: 'service-kit-test', spanExporter: exporter });
  const grpcPort = await freePort();
  const schema = composeConfig({ service: serviceConfig({ name: 'chat', httpPort: 0, grpcPort }) });
  service = await startService({
    config: loadConfig(schema, {}),
    module: () => ChatModule,
    logger: createLogger({ service: 'chat', level: 'silent' }),
    grpc: { package: 'kuroshio.testing.v1', protoPath: CHAT_PROTO },
    readinessTimeoutMs: 1_000,
  });
  const loaded = loadPackageDefinition(loadSync(CHAT_PROTO));
  const Chat = ((loaded['kuroshio'] as GrpcObject)['testing'] as GrpcObject)['v1'] as GrpcObject;
  chat = new (Chat['ChatService'] as ServiceClientConstructor)(service.grpcAddress ?? '', credentials.createInsecure(), tracedClientOptions()) as typeof chat;
});
afterAll(async () => {
  chat?.close();
  await service?.close();
  await stopTracing();
});
afterEach(() => exporter.reset());

describe('server spans of a service (Nest ServerGrpc + the kit interceptor)', () => {
  it('continues the caller’s trace and runs the handler, its awaits and child spans inside the call’s span', async () => {
    const reply = await withSpan('caller', {}, () => say('hello'));
    const spans = await finished();
    const caller = spans.find((span) => span.name === 'caller');
    const client = spans.find((span) => span.kind === SpanKind.CLIENT);
    const server = spans.find((span) => span.kind === SpanKind.SERVER);
    const work = spans.find((span) => span.name === 'chat work');
    expect(server?.name).toBe('kuroshio.testing.v1.ChatService/Say');
    expect(server?.attributes).toEqual({ 'rpc.system': 'grpc', 'rpc.service': 'kuroshio.testing.v1.ChatService', 'rpc.method': 'Say', 'rpc.grpc.status_code': GrpcStatus.OK });
    expect(client?.parentSpanContext?.spanId).toBe(caller?.spanContext().spanId);
    expect(server?.parentSpanContext?.spanId).toBe(client?.spanContext().spanId);
    expect(work?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1);
    expect(reply.text).toBe(`${server?.spanContext().spanId}|${work?.spanContext().spanId}:${work?.spanContext().spanId}`);
  });

  it('ends the span with the status the error filters send: a DomainError’s code, an unexpected error’s UNKNOWN', async () => {
    await expect(say('missing')).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND });
    await expect(say('crash')).rejects.toMatchObject({ code: GrpcStatus.UNKNOWN });
    const servers = (await finished()).filter((span) => span.kind === SpanKind.SERVER);
    expect(servers.map((span) => [span.attributes['rpc.grpc.status_code'], span.status.code]).sort()).toEqual([
      [GrpcStatus.UNKNOWN, SpanStatusCode.ERROR],
      [GrpcStatus.NOT_FOUND, SpanStatusCode.UNSET],
    ]);
  });

  it('gives a bidirectional stream one span, active for every message the handler processes', async () => {
    const replies = await withSpan('caller', {}, () =>
      new Promise<string[]>((resolve, reject) => {
        const texts: string[] = [];
        const stream = chat['Converse']?.() as NodeJS.ReadWriteStream & { write(line: ChatLine): void };
        stream.on('data', (line: ChatLine) => texts.push(line.text));
        stream.on('error', reject);
        stream.on('end', () => resolve(texts));
        stream.write({ text: 'a' });
        stream.write({ text: 'b' });
        stream.end();
      }),
    );
    const servers = (await finished()).filter((span) => span.kind === SpanKind.SERVER);
    expect(servers.map((span) => span.name)).toEqual(['kuroshio.testing.v1.ChatService/Converse']);
    const spanId = servers[0]?.spanContext().spanId;
    expect(replies).toEqual([`a:${spanId}`, `b:${spanId}`]);
    expect(servers[0]?.attributes['rpc.grpc.status_code']).toBe(GrpcStatus.OK);
  });

  it('makes no spans for health checks', async () => {
    expect(await healthStatus(service.grpcAddress ?? '', '')).toBe('SERVING');
    expect(await finished()).toEqual([]);
  });
});
