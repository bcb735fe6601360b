import fc from 'fast-check';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { withSpan } from './spans.js';
import { extractTraceContext, injectTraceHeaders } from './trace-propagation.js';
import { flushSpans, startTracing, type StopTracing } from './tracing.js';

const exporter = new InMemorySpanExporter();
let stopTracing: StopTracing;

beforeAll(() => {
  stopTracing = startTracing({ serviceName: 'test', spanExporter: exporter });
});
afterAll(async () => {
  await stopTracing();
});
beforeEach(() => exporter.reset());

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe('W3C trace context in string headers', () => {
  it('injects the active span as traceparent', async () => {
    const headers = await withSpan('produce', {}, (span) => {
      const injected = injectTraceHeaders({ 'content-type': 'application/json' });
      expect(injected['traceparent']).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
      return injected;
    });
    expect(headers['content-type']).toBe('application/json');
  });

  it('injects nothing outside a span', () => {
    expect(injectTraceHeaders({})).toEqual({});
  });

  it('round-trips: a consumer span continues the producer trace', async () => {
    const headers = await withSpan('produce', {}, () => injectTraceHeaders({}));
    const [, traceId, producerSpanId] = TRACEPARENT.exec(headers['traceparent'] ?? '') ?? [];
    await withSpan('consume', { 'messaging.system': 'kafka' }, () => undefined, extractTraceContext(headers));
    await flushSpans();
    const consumer = exporter.getFinishedSpans().find((s) => s.name === 'consume');
    expect(consumer?.spanContext().traceId).toBe(traceId);
    expect(consumer?.parentSpanContext?.spanId).toBe(producerSpanId);
    expect(consumer?.attributes['messaging.system']).toBe('kafka');
  });

  it('round-trips any valid traceparent through extract and inject', () => {
    const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
    fc.assert(
      fc.property(
        hex(32).filter((s) => !/^0+$/.test(s)),
        hex(16).filter((s) => !/^0+$/.test(s)),
        fc.constantFrom('00', '01'),
        (traceId, spanId, flags) => {
          const traceparent = `00-${traceId}-${spanId}-${flags}`;
          const ctx = extractTraceContext({ traceparent });
          expect(trace.getSpanContext(ctx)?.traceId).toBe(traceId);
          expect(injectTraceHeaders({}, ctx)['traceparent']).toBe(traceparent);
        },
      ),
    );
  });

  it('finds traceparent whatever the header case, and ignores malformed ones', () => {
    const ctx = extractTraceContext({ TraceParent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    expect(trace.getSpanContext(ctx)?.spanId).toBe('b7ad6b7169203331');
    expect(trace.getSpanContext(extractTraceContext({ traceparent: 'garbage' }))).toBeUndefined();
  });
});

describe('withSpan', () => {
  it('records the exception, marks the span failed, ends it and rethrows', async () => {
    await expect(
      withSpan('fails', {}, () => {
        throw new Error('sink unavailable');
      }),
    ).rejects.toThrow('sink unavailable');
    await flushSpans();
    const [span] = exporter.getFinishedSpans();
    expect(span?.status).toMatchObject({ code: 2, message: 'sink unavailable' });
    expect(span?.events.map((e) => e.name)).toContain('exception');
  });
});
