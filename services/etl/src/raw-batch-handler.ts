import { withSpan, type StructuredLogger } from '@kuroshio/telemetry';
import { deliverBatch, SinkWriteError, type BatchSink } from './domain/batch-delivery.js';
import type { ProcessedBatch } from './domain/batch-outcome.js';
import type { DedupWarmup } from './domain/dedup-warmup.js';
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
  /** Fills the dedup window from the warehouse when a partition is taken over; none in unit tests. */
  readonly warmup?: DedupWarmup;
}

/**
 * A sink whose writes are spans (children of the batch's consumer span), named by the sink, and
 * timed in etl_sink_write_seconds (failed writes too: a slow failure is what an operator looks for).
 */
function observed(sink: BatchSink): BatchSink {
  return {
    name: sink.name,
    write: async (batch, processedAt) => {
      const stopTimer = etlMetrics.sinkWriteSeconds.startTimer({ sink: sink.name });
      try {
        await withSpan(`sink ${sink.name}`, { 'kuroshio.sink': sink.name, 'kuroshio.clean_events': batch.clean.length, 'kuroshio.rejected_events': batch.rejected.length }, () =>
          sink.write(batch, processedAt),
        );
      } finally {
        stopTimer();
      }
    },
  };
}

/**
 * One batch of events.raw end to end: process, deliver to every sink, count. When a sink fails it
 * waits `retryDelayMs` and throws, so the consumer commits nothing and Kafka hands the batch back.
 */
export class RawBatchHandler {
  constructor(private readonly options: RawBatchHandlerOptions) {}

  async handle(batch: RawBatch): Promise<void> {
    if (batch.records.length === 0) return;
    const { processing, sinks, health, logger, warmup } = this.options;
    const stopTimer = etlMetrics.batchSeconds.startTimer();
    let processed: ProcessedBatch;
    try {
      const loaded = (await warmup?.prepare(batch)) ?? 0;
      if (loaded > 0) logger.info({ topic: batch.topic, partition: batch.partition, messageIds: loaded }, 'dedup window loaded from the warehouse');
      processed = processBatch(batch, processing);
      await deliverBatch(processed, sinks.map(observed), processing.now());
    } catch (error) {
      etlMetrics.batches.inc({ result: 'failed' });
      if (error instanceof SinkWriteError) etlMetrics.sinkFailures.inc({ sink: error.sink });
      health.failed(error instanceof Error ? error.message : String(error));
      logger.error(
        { err: error, topic: batch.topic, partition: batch.partition, firstOffset: batch.records[0]?.offset, lastOffset: batch.records.at(-1)?.offset },
        'batch not delivered; it will be redelivered',
      );
      await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs));
      throw error;
    }
    stopTimer();
    warmup?.handled(batch);
    health.succeeded();
    etlMetrics.batches.inc({ result: 'ok' });
    recordBatchMetrics(processed, (type, event) => processing.schemas.versionsOf(type as 'track', event).length > 0);
    logger.debug(
      { topic: batch.topic, partition: batch.partition, records: batch.records.length, accepted: processed.clean.length, rejected: processed.rejected.length },
      'batch delivered',
    );
  }
}
