import { metricsRegistry } from '@kuroshio/telemetry';
import { describe, expect, it } from 'vitest';
import type { ProcessedBatch, RecordOutcome } from './domain/batch-outcome.js';
import { recordBatchMetrics } from './etl-metrics.js';
import { rawRecord } from './testing/raw-event-fixtures.js';

function outcome(overrides: Partial<RecordOutcome>): RecordOutcome {
  return {
    record: rawRecord(null),
    outcome: 'accepted',
    tenant: 'metrics-spec',
    source: 'web',
    type: 'track',
    event: 'Order Completed',
    stage: '',
    errorCode: '',
    late: false,
    future: false,
    eventTime: new Date(0),
    ...overrides,
  };
}

async function count(metric: string, labels: Record<string, string>): Promise<number> {
  const { values } = await metricsRegistry.getSingleMetric(metric)!.get();
  const found = values.find((value) => Object.entries(labels).every(([name, text]) => value.labels[name] === text));
  return found?.value ?? 0;
}

describe('recordBatchMetrics', () => {
  it('counts every record once per series, folding events without a schema', async () => {
    const outcomes = [
      outcome({}),
      outcome({ late: true }),
      outcome({ future: true, event: 'Invented' }),
      outcome({ outcome: 'rejected', stage: 'etl.schema', errorCode: 'SCHEMA_MISMATCH' }),
      outcome({ tenant: '', type: 'identify', event: '' }),
    ];
    recordBatchMetrics({ outcomes } as unknown as ProcessedBatch, (_type, event) => event === 'Order Completed');
    const series = { tenant: 'metrics-spec', source: 'web', type: 'track' };
    expect(await count('etl_records_total', { ...series, event: 'Order Completed', outcome: 'accepted' })).toBe(2);
    expect(await count('etl_records_total', { ...series, event: '_other', outcome: 'accepted' })).toBe(1);
    expect(await count('etl_records_total', { ...series, event: 'Order Completed', outcome: 'rejected', reason: 'SCHEMA_MISMATCH' })).toBe(1);
    expect(await count('etl_records_total', { tenant: '_unknown', type: 'identify', event: '' })).toBe(1);
    expect(await count('etl_late_events_total', { ...series, event: 'Order Completed', kind: 'late' })).toBe(1);
    expect(await count('etl_late_events_total', { ...series, event: '_other', kind: 'future' })).toBe(1);
  });
});
