import { encodeTopicValue, TOPICS } from '@kuroshio/contracts';
import { extractTraceContext, type Context } from '@kuroshio/telemetry';
import type { CleanEvent, ProcessedBatch, RejectedRecord } from '../domain/batch-outcome.js';

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
      })).map(([context, records]) => this.producer.send(this.topics.clean, records, context)),
      ...this.byTrace(batch.rejected, (rejected: RejectedRecord) => ({
        key: rejected.key,
        value: encodeTopicValue(TOPICS.eventsDlq, rejected.deadLetter),
        headers: { 'content-type': 'application/json' },
      })).map(([context, records]) => this.producer.send(this.topics.dlq, records, context)),
    ]);
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
