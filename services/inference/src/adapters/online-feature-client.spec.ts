import { SpanKind } from '@opentelemetry/api';
import { flushSpans, InMemorySpanExporter, startTracing, withSpan, type StopTracing } from '@kuroshio/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeFeatureStore } from '../testing/fake-grpc-servers.js';
import { OnlineFeatureClient } from './online-feature-client.js';

// The client on a loopback fake feature store: tracing of coalesced lookups.

const exporter = new InMemorySpanExporter();
const store = new FakeFeatureStore();
let stopTracing: StopTracing;
let client: OnlineFeatureClient;
const COLUMNS = [{ column: 'billing__amount_sum_30d', featureView: 'billing', feature: 'amount_sum_30d', version: 1, valueType: 'double' as const }];

beforeAll(async () => {
  stopTracing = startTracing({ serviceName: 'inference-test', spanExporter: exporter });
  store.values.set('cust-1', { 'billing:amount_sum_30d': { doubleValue: 10 } });
  store.values.set('cust-2', { 'billing:amount_sum_30d': { doubleValue: 20 } });
  client = new OnlineFeatureClient({ address: await store.start(), cacheTtlMs: 0, cacheMaxEntries: 10, timeoutMs: 5_000, maxCallsInFlight: 1 });
});
afterAll(async () => {
  client?.close();
  await store.stop();
  await stopTracing();
});

describe('OnlineFeatureClient tracing', () => {
  it('traces each GetOnlineFeatures call under the request it serves, also when it waited for an earlier call', async () => {
    exporter.reset();
    store.requests.length = 0;
    const deadline = Date.now() + 5_000;
    const firstLookup = withSpan('request 1', {}, async (span) => ({ span: span.spanContext().spanId, values: await client.read(['cust-1'], COLUMNS, deadline) }));
    // The first call goes out at the end of this event-loop turn; the second lookup comes later.
    await new Promise((resolve) => setImmediate(resolve));
    // One call in flight at a time: this lookup waits and goes out when the first call ends.
    const [first, second] = await Promise.all([
      firstLookup,
      withSpan('request 2', {}, async (span) => ({ span: span.spanContext().spanId, values: await client.read(['cust-2'], COLUMNS, deadline) })),
    ]);
    expect([first.values, second.values]).toEqual([[[10]], [[20]]]);
    expect(store.requests.map((request) => request.entityIds)).toEqual([['cust-1'], ['cust-2']]);
    await flushSpans();
    const calls = exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.CLIENT);
    expect(calls.map((span) => span.name)).toEqual(['kuroshio.features.v1.FeatureService/GetOnlineFeatures', 'kuroshio.features.v1.FeatureService/GetOnlineFeatures']);
    expect(calls.map((span) => span.parentSpanContext?.spanId)).toEqual([first.span, second.span]);
  });

  it('sends the lookups of one event-loop turn in one call, each answered with its own entity', async () => {
    exporter.reset();
    store.requests.length = 0;
    const deadline = Date.now() + 5_000;
    const values = await Promise.all([client.read(['cust-2'], COLUMNS, deadline), client.read(['cust-1', 'cust-3'], COLUMNS, deadline)]);
    expect(values).toEqual([[[20]], [[10], [null]]]);
    expect(store.requests.map((request) => request.entityIds)).toEqual([['cust-2', 'cust-1', 'cust-3']]);
  });
});
