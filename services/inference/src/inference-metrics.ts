import { defineCounter, defineGauge, defineHistogram } from '@kuroshio/telemetry';
import type { MicroBatchObserver } from './domain/micro-batcher.js';
import type { BatchingSettings } from './inference-settings.js';

const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192];
const SECONDS_BUCKETS = [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.02, 0.05, 0.1, 0.25, 1];

export const inferenceMetrics = {
  batchRows: defineHistogram({ name: 'kuroshio_inference_batch_rows', help: 'Rows per model call the micro-batcher formed', labelNames: ['model'], buckets: BATCH_BUCKETS }),
  batches: defineCounter({ name: 'kuroshio_inference_batches_total', help: 'Model calls by what triggered them (size, delay, drain after a running batch)', labelNames: ['model', 'trigger'] }),
  queuedRows: defineGauge({ name: 'kuroshio_inference_queued_rows', help: 'Rows waiting for a model call', labelNames: ['model'] }),
  shedRows: defineCounter({ name: 'kuroshio_inference_shed_rows_total', help: 'Rows refused because a model queue was full (RESOURCE_EXHAUSTED)', labelNames: ['model'] }),
  batching: defineGauge({ name: 'kuroshio_inference_batching_setting', help: 'Micro-batching configuration', labelNames: ['setting'] }),
  requests: defineCounter({ name: 'kuroshio_inference_requests_total', help: 'Prediction requests by method and outcome', labelNames: ['method', 'code'] }),
  requestSeconds: defineHistogram({
    name: 'kuroshio_inference_request_seconds',
    help: 'Time inside the service per request, feature lookup included',
    labelNames: ['method'],
    buckets: SECONDS_BUCKETS,
  }),
  stageSeconds: defineHistogram({
    name: 'kuroshio_inference_stage_seconds',
    help: 'Time per request and model in each stage: features (online join, cache included), model (micro-batch queue and model call)',
    labelNames: ['stage'],
    buckets: SECONDS_BUCKETS,
  }),
  predictions: defineCounter({ name: 'kuroshio_inference_predictions_total', help: 'Instances scored', labelNames: ['model', 'version'] }),
  featureCallEntities: defineHistogram({ name: 'kuroshio_inference_feature_call_entities', help: 'Entities per GetOnlineFeatures call (coalesced lookups)', buckets: BATCH_BUCKETS }),
  featureLookups: defineCounter({ name: 'kuroshio_inference_feature_lookups_total', help: 'Online feature rows by cache outcome', labelNames: ['outcome'] }),
  logDepth: defineGauge({ name: 'kuroshio_inference_prediction_log_records', help: 'Prediction and exposure records reserved or waiting for Kafka' }),
  logSendFailures: defineCounter({ name: 'kuroshio_inference_prediction_log_send_failures_total', help: 'Failed sends of the prediction log (retried, never dropped)' }),
  aliasSwaps: defineCounter({ name: 'kuroshio_inference_alias_swaps_total', help: 'Alias hot swaps to a new version', labelNames: ['model', 'alias'] }),
};

export function exportBatchingSettings(settings: BatchingSettings): void {
  inferenceMetrics.batching.set({ setting: 'enabled' }, settings.enabled ? 1 : 0);
  inferenceMetrics.batching.set({ setting: 'max_batch_size' }, settings.maxBatchSize);
  inferenceMetrics.batching.set({ setting: 'max_queue_delay_ms' }, settings.maxQueueDelayMs);
  inferenceMetrics.batching.set({ setting: 'max_queued_rows' }, settings.maxQueuedRows);
  inferenceMetrics.batching.set({ setting: 'max_concurrent_batches' }, settings.maxConcurrentBatches);
}

export function batchObserver(model: string): MicroBatchObserver {
  return {
    batchFormed: (rows, _jobs, trigger) => {
      inferenceMetrics.batchRows.observe({ model }, rows);
      inferenceMetrics.batches.inc({ model, trigger });
    },
    shed: (rows) => inferenceMetrics.shedRows.inc({ model }, rows),
    queueDepth: (rows) => inferenceMetrics.queuedRows.set({ model }, rows),
  };
}
