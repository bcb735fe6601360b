import { encodeTopicValue, TOPICS } from '@kuroshio/contracts';
import { extractTraceContext, type Context } from '@kuroshio/telemetry';
import type { CleanEvent, ProcessedBatch, RejectedRecord } from '../domain/batch-outcome.js';

// Well under the broker's default message.max.bytes (1 MiB), which bounds one partition's record batch.
const MAX_SEND_BYTES = 512 * 1024;
// Record framing and the content-type header, generously.
const RECORD_OVERHEAD_BYTES = 96;

interface OutgoingRecord {
  key: string | null;
  value: Buffer;
  headers?: Record<string, string>;
}

/** The part of the Kafka producer the topics need (KafkaProducer satisfies it). */
export interface TopicProducer {
  send(topic: string, messages: readonly OutgoingRecord[], options?: { traceContext?: Context }): Promise<unknown>;
}

/**
 * Produces a batch's clean events (keyed by the tokenised customer) and dead letters (keyed by the
 * failed record's scrubbed key). The producer stamps each send with a span of the trace it is given,
 * so records are sent grouped by the trace they arrived with: one collector request is one group,
 * and its events stay in its trace on events.clean.
 */
export class TopicWriter {
  constructor(
    private readonly producer: TopicProducer,
    private readonly topics: { clean: string; dlq: string },
  ) {}

  async writeBatch(batch: ProcessedBatch): Promise<void> {
    await Promise.all([
      ...this.byTrace(batch.clean, (event: CleanEvent) => ({
        key: event.customerId,
        value: encodeTopicValue(TOPICS.eventsClean, event.value),
        headers: { 'content-type': 'application/json' },
      })).map(([context, records]) => this.sendInChunks(this.topics.clean, records, context)),
      ...this.byTrace(batch.rejected, (rejected: RejectedRecord) => ({
        key: rejected.key,
        value: encodeTopicValue(TOPICS.eventsDlq, rejected.deadLetter),
        headers: { 'content-type': 'application/json' },
      })).map(([context, records]) => this.sendInChunks(this.topics.dlq, records, context)),
    ]);
  }

  // One send puts all of a partition's records into one record batch, and the broker refuses a batch
  // over message.max.bytes (1 MiB by default): a large fetched batch would fail forever. Chunks go
  // one after another, so a customer's events keep their order on events.clean.
  private async sendInChunks(topic: string, records: OutgoingRecord[], context: { traceContext?: Context }): Promise<void> {
    let chunk: OutgoingRecord[] = [];
    let bytes = 0;
    for (const record of records) {
      const size = record.value.length + (record.key?.length ?? 0) + RECORD_OVERHEAD_BYTES;
      if (chunk.length > 0 && bytes + size > MAX_SEND_BYTES) {
        await this.producer.send(topic, chunk, context);
        chunk = [];
        bytes = 0;
      }
      chunk.push(record);
      bytes += size;
    }
    if (chunk.length > 0) await this.producer.send(topic, chunk, context);
  }

  private byTrace<T extends { record: { headers: Readonly<Record<string, string>> } }>(
    items: readonly T[],
    toRecord: (item: T) => OutgoingRecord,
  ): Array<[{ traceContext?: Context }, OutgoingRecord[]]> {
    const groups = new Map<string, { headers: Readonly<Record<string, string>>; records: OutgoingRecord[] }>();
    for (const item of items) {
      const traceparent = item.record.headers.traceparent ?? '';
      const group = groups.get(traceparent) ?? { headers: item.record.headers, records: [] };
      group.records.push(toRecord(item));
      groups.set(traceparent, group);
    }
    return [...groups.entries()].map(([traceparent, group]) => [
      traceparent === '' ? {} : { traceContext: extractTraceContext({ traceparent, ...(group.headers.tracestate ? { tracestate: group.headers.tracestate } : {}) }) },
      group.records,
    ]);
  }
}
