import { createLogger, metricsRegistry } from '@kuroshio/telemetry';
import { describe, expect, it } from 'vitest';
import type { BatchSink } from './domain/batch-delivery.js';
import type { ProcessedBatch } from './domain/batch-outcome.js';
import { DedupWindow } from './domain/dedup-window.js';
import { EventSchemas } from './domain/event-schemas.js';
import { PiiTokenizer } from './pii/index.js';
import { RawBatchHandler } from './raw-batch-handler.js';
import { EVENT_SCHEMA_DIRECTORY } from './schema-directory.js';
import { SinkHealth } from './sink-health.js';
import { rawEventValue, rawRecord } from './testing/raw-event-fixtures.js';

const schemas = await EventSchemas.load(EVENT_SCHEMA_DIRECTORY);

function handlerWith(sinks: BatchSink[], health = new SinkHealth()) {
  return new RawBatchHandler({
    processing: {
      schemas,
      scrubber: new PiiTokenizer({ key: Buffer.alloc(32, 3) }),
      dedup: new DedupWindow(100),
      eventTime: { lateAfterMs: 86_400_000, futureToleranceMs: 300_000 },
      now: () => new Date(),
    },
    sinks,
    health,
    logger: createLogger({ service: 'etl-test', level: 'silent' }),
    retryDelayMs: 0,
  });
}

function recordingSink(name: string, log: string[], fail = false): BatchSink {
  return {
    name,
    write: async (batch: ProcessedBatch) => {
      log.push(`${name}:${batch.firstOffset}-${batch.lastOffset}`);
      if (fail) throw new Error(`${name} is down`);
    },
  };
}

const batch = () => ({ topic: 't', partition: 1, records: [rawRecord(rawEventValue({ messageId: 'a' }), { offset: '5' }), rawRecord(rawEventValue({ messageId: 'b' }), { offset: '6' })] });

/** Count and sum of etl_sink_write_seconds for one sink. */
async function sinkWrites(sink: string): Promise<{ count: number; sum: number }> {
  const { values } = await metricsRegistry.getSingleMetric('etl_sink_write_seconds')!.get();
  // A histogram's values carry the series name (`…_count`, `…_sum`) beside its labels.
  const of = (name: string) => values.find((value) => (value as { metricName?: string }).metricName === name && value.labels.sink === sink)?.value ?? 0;
  return { count: of('etl_sink_write_seconds_count'), sum: of('etl_sink_write_seconds_sum') };
}

describe('RawBatchHandler', () => {
  it('times each sink write, a failed one too', async () => {
    const slow: BatchSink = { name: 'spec-slow-lake', write: () => new Promise((resolve) => setTimeout(resolve, 40)) };
    const down: BatchSink = { name: 'spec-down-warehouse', write: () => Promise.reject(new Error('down')) };
    await handlerWith([slow]).handle(batch());
    await expect(handlerWith([slow, down]).handle(batch())).rejects.toThrow(/sink spec-down-warehouse failed/);
    const [lake, warehouse] = await Promise.all([sinkWrites('spec-slow-lake'), sinkWrites('spec-down-warehouse')]);
    expect(lake.count).toBe(2);
    expect(lake.sum).toBeGreaterThanOrEqual(0.07);
    expect(warehouse.count).toBe(1);
  });

  it('delivers to the lake, then ClickHouse, then Kafka', async () => {
    const log: string[] = [];
    await handlerWith([recordingSink('lake', log), recordingSink('clickhouse', log), recordingSink('kafka', log)]).handle(batch());
    expect(log).toEqual(['lake:5-6', 'clickhouse:5-6', 'kafka:5-6']);
  });

  it('throws when a sink fails (so nothing is committed), stops there, and reports not ready until a batch gets through', async () => {
    const log: string[] = [];
    const health = new SinkHealth();
    const failing = handlerWith([recordingSink('lake', log), recordingSink('clickhouse', log, true), recordingSink('kafka', log)], health);
    await expect(failing.handle(batch())).rejects.toThrow(/sink clickhouse failed/);
    expect(log).toEqual(['lake:5-6', 'clickhouse:5-6']);
    await expect(health.check()).rejects.toThrow(/clickhouse is down/);

    await handlerWith([recordingSink('lake', log)], health).handle(batch());
    await expect(health.check()).resolves.toBeUndefined();
  });
});
