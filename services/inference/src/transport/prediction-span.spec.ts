import { SpanStatusCode, trace } from '@opentelemetry/api';
import { flushSpans, InMemorySpanExporter, startTracing, withSpan, type StopTracing } from '@kuroshio/telemetry';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { notFound } from '../domain/inference-errors.js';
import type { PredictionInput, PredictionOutput } from '../domain/predictor.js';
import { tracedPrediction } from './prediction-span.js';

const exporter = new InMemorySpanExporter();
let stopTracing: StopTracing;
beforeAll(() => {
  stopTracing = startTracing({ serviceName: 'inference-test', spanExporter: exporter });
});
afterAll(async () => {
  await stopTracing();
});
afterEach(() => exporter.reset());

const input = (over: Partial<PredictionInput> = {}): PredictionInput => ({
  target: { modelName: 'bad-debt', alias: 'champion' },
  instances: [{ entityId: 'cust-1', features: {} }],
  requestId: 'req-1',
  experimentKey: '',
  deadlineMs: Date.now() + 5_000,
  batch: false,
  ...over,
});
const output = (over: Partial<PredictionOutput> = {}): PredictionOutput => ({
  modelName: 'bad-debt',
  modelVersion: 3,
  scores: [0.2],
  classLabels: [],
  experimentKey: '',
  variant: '',
  missingFeatures: [],
  ...over,
});

async function onlySpan() {
  await flushSpans();
  const spans = exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

describe('tracedPrediction', () => {
  it('spans the prediction work: what was asked, the version that served it, the rows', async () => {
    let activeInside: string | undefined;
    await withSpan('server', {}, () =>
      tracedPrediction(input(), async () => {
        activeInside = trace.getActiveSpan()?.spanContext().spanId;
        return { requestId: 'req-1', predictions: [output()] };
      }),
    );
    await flushSpans();
    const server = exporter.getFinishedSpans().find((span) => span.name === 'server');
    const span = exporter.getFinishedSpans().find((span) => span.name === 'predict bad-debt');
    expect(span?.attributes).toEqual({ 'kuroshio.model.name': 'bad-debt', 'kuroshio.model.alias': 'champion', 'kuroshio.model.version': 3, 'kuroshio.prediction.rows': 1 });
    expect(span?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    // Calls made while predicting (feature store, registry) become its children.
    expect(activeInside).toBe(span?.spanContext().spanId);
  });

  it('names the experiment and variant; a batch split between variants lists every version and variant', async () => {
    const batch = input({ experimentKey: 'bad-debt-ab', batch: true, instances: [1, 2, 3].map((i) => ({ entityId: `c${i}`, features: {} })), target: { modelName: 'bad-debt', version: 3 } });
    await tracedPrediction(batch, async () => ({
      requestId: 'b',
      predictions: [output({ variant: 'control', experimentKey: 'bad-debt-ab' }), output({ modelVersion: 4, variant: 'treatment', experimentKey: 'bad-debt-ab' }), output({ variant: 'control' })],
    }));
    expect((await onlySpan()).attributes).toEqual({
      'kuroshio.model.name': 'bad-debt',
      'kuroshio.model.version': [3, 4],
      'kuroshio.prediction.rows': 3,
      'kuroshio.experiment.key': 'bad-debt-ab',
      'kuroshio.experiment.variant': ['control', 'treatment'],
    });
  });

  it('marks the span failed with the error and rethrows it', async () => {
    await expect(tracedPrediction(input(), () => Promise.reject(notFound('model_not_found', 'no bad-debt@champion')))).rejects.toThrow('no bad-debt@champion');
    const span = await onlySpan();
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'no bad-debt@champion' });
    expect(span.attributes['kuroshio.model.version']).toBeUndefined();
  });
});
