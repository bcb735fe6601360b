import type { StructuredLogger } from '@kuroshio/telemetry';
import { deliverBatch, SinkWriteError, type BatchSink } from './domain/batch-delivery.js';
import { processBatch, type BatchProcessing } from './domain/process-batch.js';
import type { RawBatch } from './domain/raw-record.js';
import { etlMetrics, recordBatchMetrics } from './etl-metrics.js';
import type { SinkHealth } from './sink-health.js';

export interface RawBatchHandlerOptions {
  readonly processing: BatchProcessing;
  readonly sinks: readonly BatchSink[];
  readonly health: SinkHealth;
  readonly logger: StructuredLogger;
  readonly retryDelayMs: number;
}

/**
 * One batch of events.raw end to end: process, deliver to every sink, count. When a sink fails it
 * waits `retryDelayMs` and throws, so the consumer commits nothing and Kafka hands the batch back.
 */
export class RawBatchHandler {
  constructor(private readonly options: RawBatchHandlerOptions) {}

  async handle(batch: RawBatch): Promise<void> {
    if (batch.records.length === 0) return;
    const { processing, sinks, health, logger } = this.options;
    const stopTimer = etlMetrics.batchSeconds.startTimer();
    const processed = processBatch(batch, processing);
    const processedAt = processing.now();
    try {
      await deliverBatch(processed, sinks, processedAt);
    } catch (error) {
      etlMetrics.batches.inc({ result: 'failed' });
      if (error instanceof SinkWriteError) etlMetrics.sinkFailures.inc({ sink: error.sink });
      health.failed(error instanceof Error ? error.message : String(error));
      logger.error(
        { err: error, topic: batch.topic, partition: batch.partition, firstOffset: processed.firstOffset, lastOffset: processed.lastOffset },
        'batch not delivered; it will be redelivered',
      );
      await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs));
      throw error;
    }
    stopTimer();
    health.succeeded();
    etlMetrics.batches.inc({ result: 'ok' });
    recordBatchMetrics(processed, (type, event) => processing.schemas.versionsOf(type as 'track', event).length > 0);
    logger.debug(
      { topic: batch.topic, partition: batch.partition, records: batch.records.length, accepted: processed.clean.length, rejected: processed.rejected.length },
      'batch delivered',
    );
  }
}
