import { defineCounter, defineHistogram } from '@kuroshio/telemetry';
import type { ProcessedBatch } from './domain/batch-outcome.js';

const records = defineCounter({
  name: 'etl_records_total',
  help: 'events.raw records by what etl did with them (accepted, rejected, deduplicated) and why',
  labelNames: ['tenant', 'source', 'type', 'event', 'outcome', 'stage', 'reason'],
});
const late = defineCounter({
  name: 'etl_late_events_total',
  help: 'accepted or deduplicated events that arrived late, or from the future (clamped to receivedAt)',
  labelNames: ['tenant', 'source', 'type', 'event', 'kind'],
});
const batches = defineCounter({ name: 'etl_batches_total', help: 'batches handled, by result', labelNames: ['result'] });
const sinkFailures = defineCounter({ name: 'etl_sink_failures_total', help: 'batches a sink failed to take', labelNames: ['sink'] });
const SECONDS_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const batchSeconds = defineHistogram({ name: 'etl_batch_duration_seconds', help: 'time from a fetched batch to every sink holding it', buckets: SECONDS_BUCKETS });
const sinkWriteSeconds = defineHistogram({
  name: 'etl_sink_write_seconds',
  help: 'time one sink took to hold a batch (lake, warehouse, topics), failed writes included',
  labelNames: ['sink'],
  buckets: SECONDS_BUCKETS,
});

// Only events with a schema get their own label value; anything else is folded, so a client that
// invents event names cannot blow up the number of series. Counts are summed per series over the
// batch first: one increment per series, not per record (label hashing was per record before).
export function recordBatchMetrics(batch: ProcessedBatch, knownEvent: (type: string, event: string) => boolean): void {
  const recordSeries = new Map<string, { labels: Record<string, string>; count: number }>();
  const lateSeries = new Map<string, { labels: Record<string, string>; count: number }>();
  const add = (series: typeof recordSeries, labels: Record<string, string>) => {
    const key = JSON.stringify(Object.values(labels));
    const found = series.get(key);
    if (found) found.count++;
    else series.set(key, { labels, count: 1 });
  };
  for (const outcome of batch.outcomes) {
    const event = outcome.type === 'track' ? (knownEvent(outcome.type, outcome.event) ? outcome.event : '_other') : '';
    const labels = { tenant: outcome.tenant || '_unknown', source: outcome.source || '_unknown', type: outcome.type || '_unknown', event };
    add(recordSeries, { ...labels, outcome: outcome.outcome, stage: outcome.stage, reason: outcome.errorCode });
    if (outcome.late) add(lateSeries, { ...labels, kind: 'late' });
    if (outcome.future) add(lateSeries, { ...labels, kind: 'future' });
  }
  for (const { labels, count } of recordSeries.values()) records.inc(labels, count);
  for (const { labels, count } of lateSeries.values()) late.inc(labels, count);
}

export const etlMetrics = { batches, sinkFailures, batchSeconds, sinkWriteSeconds };
