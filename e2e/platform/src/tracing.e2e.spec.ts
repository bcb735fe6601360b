import { waitFor } from '@kuroshio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, removeRunData, startIngestRun, type IngestRun } from './ingest-run.js';
import { warehouseRows } from './ingest-warehouse.js';
import { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver.js';

describe('one trace from the collector request through Kafka to the ETL and its sinks', () => {
  let receiver: OtlpReceiver;
  let run: IngestRun;
  const messageId = `trace-${Date.now()}-${Math.random().toString(16).slice(2)}`;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    run = await startIngestRun({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint });
  });

  afterAll(async () => {
    await run?.stop();
    if (run) await removeRunData(run);
    receiver?.close();
  });

  it('links the ingest request, the ETL batch and every sink write by trace id and parentage', async () => {
    const response = await fetch(`${run.collectorUrl}/v1/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basicAuth(run.keys.web) },
      body: JSON.stringify({ messageId, type: 'track', event: 'Order Completed', userId: 'trace-customer', properties: { order_id: 'o-1', revenue: 12, currency: 'TWD' } }),
    });
    expect(response.status).toBe(200);
    await waitFor(async () => (await warehouseRows(run.database, `SELECT message_id FROM events WHERE message_id = '${messageId}'`)).length === 1, {
      timeoutMs: 60_000,
      description: 'the event in ClickHouse',
    });

    // Spans are exported in batches (every few seconds); wait for the ETL's sink spans of this trace.
    const { spans } = receiver;
    const ingest = await waitFor(() => spans.find((span) => span.service === 'collector' && span.name === 'ingest http' && span.attributes['kuroshio.source'] === run.sources.web), {
      timeoutMs: 30_000,
      description: 'the collector request span',
    });
    const trace = await waitFor(
      () => {
        const inTrace = spans.filter((span) => span.traceId === ingest.traceId);
        return inTrace.some((span) => span.service === 'etl' && span.name === 'sink kafka') ? inTrace : undefined;
      },
      { timeoutMs: 30_000, description: 'the ETL spans of the same trace' },
    );
    const byId = new Map(trace.map((span) => [span.spanId, span]));
    const send = trace.find((span) => span.service === 'collector' && span.name === 'send kuroshio.events.raw.v1');
    const process = trace.find((span) => span.service === 'etl' && span.name === 'process kuroshio.events.raw.v1');
    expect(send?.parentSpanId).toBe(ingest.spanId);
    // The ETL's batch span continues the request's trace from the record's traceparent header.
    expect(process?.parentSpanId).toBe(ingest.spanId);
    expect(process?.attributes['messaging.batch.message_count']).toBeGreaterThanOrEqual(1);
    for (const sink of ['lake', 'clickhouse', 'kafka']) {
      const write = trace.find((span) => span.name === `sink ${sink}`);
      expect(write?.service, sink).toBe('etl');
      expect(byId.get(write!.parentSpanId)?.name, sink).toBe('process kuroshio.events.raw.v1');
    }
    // events.clean records carry the trace on: the ETL's send span sits in the same trace.
    expect(trace.some((span) => span.service === 'etl' && span.name.startsWith('send ') && span.name.includes('clean'))).toBe(true);
  });
});
