import { extractTraceContext, type StructuredLogger } from '@kuroshio/telemetry';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { BatchHandler, ConsumedMessage } from './messages.js';
import { decodeHeaders } from './message-headers.js';

export interface BatchCommitOptions {
  /** How often the member heartbeats while the handler is busy. */
  heartbeatIntervalMs: number;
  logger: StructuredLogger;
}

/**
 * Adapts a platform batch handler to kafkajs' `eachBatch`: the handler sees the whole fetched
 * batch, and only after it resolves is the partition's offset committed. A handler that throws
 * commits nothing, so the batch is delivered again (at-least-once).
 */
export function commitAfterHandling(handler: BatchHandler, options: BatchCommitOptions) {
  return async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    const last = batch.messages[batch.messages.length - 1];
    // A seek moved this partition while the batch was in flight; its records are no longer ours.
    if (!last || payload.isStale()) {
      return;
    }
    const messages = batch.messages.map((message) => toConsumedMessage(batch.topic, batch.partition, message));
    const stopHeartbeats = heartbeatWhileBusy(payload, options);
    try {
      await handler({
        topic: batch.topic,
        partition: batch.partition,
        highWatermark: batch.highWatermark,
        messages,
        heartbeat: () => payload.heartbeat(),
      });
    } finally {
      stopHeartbeats();
    }
    payload.resolveOffset(last.offset);
    // This payload's commit bypasses kafkajs' "still running?" guard, unlike consumer.commitOffsets,
    // which silently drops commits once disconnect() has begun — the drain depends on it.
    await payload.commitOffsetsIfNecessary({
      topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: nextOffset(batch.lastOffset()) }] }],
    });
  };
}

/**
 * Kafka commits name the next record to read. `lastOffset()` also covers trailing transaction
 * markers the handler never saw, so the group does not stall on them.
 */
export function nextOffset(lastOffset: string): string {
  return (BigInt(lastOffset) + 1n).toString();
}

export function toConsumedMessage(topic: string, partition: number, message: KafkaMessage): ConsumedMessage {
  const headers = decodeHeaders(message.headers);
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ?? null,
    value: message.value ?? null,
    headers,
    timestamp: message.timestamp,
    traceContext: extractTraceContext(headers),
  };
}

function heartbeatWhileBusy(payload: EachBatchPayload, options: BatchCommitOptions): () => void {
  const timer = setInterval(() => {
    payload.heartbeat().catch((error: unknown) => {
      // A rebalance surfaces here; the commit after the handler fails the same way and kafkajs
      // then rejoins, so logging is enough.
      options.logger.warn({ err: error, topic: payload.batch.topic, partition: payload.batch.partition }, 'heartbeat failed during batch');
    });
  }, options.heartbeatIntervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
