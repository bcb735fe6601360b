import type { ProcessedBatch } from './batch-outcome.js';

/** A destination of processed batches (lake, warehouse, topics); resolves once it holds the batch. */
export interface BatchSink {
  readonly name: string;
  write(batch: ProcessedBatch, processedAt: Date): Promise<void>;
}

export class SinkWriteError extends Error {
  constructor(
    readonly sink: string,
    cause: unknown,
  ) {
    super(`sink ${sink} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'SinkWriteError';
  }
}

/**
 * Hands the batch to each sink in turn — lake first (the archive exists before anything derived
 * from it), then the warehouse, then the topics (so a consumer of events.clean never sees an event
 * that is not yet queryable). A failure stops the batch; the caller must not commit it.
 */
export async function deliverBatch(batch: ProcessedBatch, sinks: readonly BatchSink[], processedAt: Date): Promise<void> {
  for (const sink of sinks) {
    try {
      await sink.write(batch, processedAt);
    } catch (error) {
      throw new SinkWriteError(sink.name, error);
    }
  }
}
