import { dateTimeText } from '@kuroshio/clickhouse';
import type { CleanEvent, RecordOutcome, RejectedRecord } from '../domain/batch-outcome.js';
import { documentsOf } from './event-documents.js';

/** A row of `events` (infra/clickhouse/migrations/0001_events.sql); ingested_at takes its default. */
export function eventRow(event: CleanEvent) {
  const envelope = event.value.envelope;
  const { properties, context, traits } = documentsOf(event);
  return {
    message_id: envelope.messageId,
    tenant: envelope.tenant,
    source: envelope.source,
    channel: envelope.context.channel,
    type: envelope.type,
    event: envelope.event ?? '',
    customer_id: event.customerId,
    user_id: envelope.userId ?? '',
    anonymous_id: envelope.anonymousId ?? '',
    event_time: dateTimeText(event.eventTime),
    event_time_ms: event.eventTime.getTime(),
    received_at: dateTimeText(new Date(envelope.receivedAt)),
    properties,
    context,
    traits,
    schema_version: event.schemaVersion,
  };
}

/** A row of `dead_letters` (0002), mirroring the dead letter produced to events.dlq. */
export function deadLetterRow(rejected: RejectedRecord) {
  const { deadLetter, record } = rejected;
  return {
    source_topic: record.topic,
    source_partition: record.partition,
    source_offset: Number(record.offset),
    source_timestamp: dateTimeText(new Date(Number(record.timestamp))),
    failed_at: dateTimeText(new Date(deadLetter.failedAt)),
    tenant: deadLetter.tenant ?? '',
    source: deadLetter.source ?? '',
    message_id: deadLetter.messageId ?? '',
    reason_code: deadLetter.errorCode,
    reason: `${deadLetter.stage}: ${deadLetter.reason}`,
    record_key: rejected.key ?? '',
    record_value: deadLetter.payload.data,
    value_encoding: deadLetter.payload.encoding,
    headers: JSON.stringify(rejected.headers),
  };
}

// Every outcome and messageId row of a batch carries the same processedAt instant: formatted once.
let lastProcessedAt: Date | undefined;
let lastProcessedAtText = '';
function processedAtText(processedAt: Date): string {
  if (processedAt !== lastProcessedAt) {
    lastProcessedAtText = dateTimeText(processedAt);
    lastProcessedAt = processedAt;
  }
  return lastProcessedAtText;
}

/** A row of `etl_record_outcomes` (0003). */
export function outcomeRow(outcome: RecordOutcome, processedAt: Date) {
  return {
    source_topic: outcome.record.topic,
    source_partition: outcome.record.partition,
    source_offset: Number(outcome.record.offset),
    event_time: dateTimeText(outcome.eventTime),
    tenant: outcome.tenant,
    source: outcome.source,
    type: outcome.type,
    event: outcome.event,
    outcome: outcome.outcome,
    stage: outcome.stage,
    reason_code: outcome.errorCode,
    late: outcome.late ? 1 : 0,
    future: outcome.future ? 1 : 0,
    processed_at: processedAtText(processedAt),
  };
}

/** A row of `etl_message_ids` (0004): where an accepted messageId was taken, for the dedup warm-up. */
export function messageIdRow(event: CleanEvent, processedAt: Date) {
  return {
    source_topic: event.record.topic,
    source_partition: event.record.partition,
    source_offset: Number(event.record.offset),
    tenant: event.value.envelope.tenant,
    message_id: event.value.envelope.messageId,
    processed_at: processedAtText(processedAt),
  };
}
