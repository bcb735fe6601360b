import type { ConsumedMessage } from '@kuroshio/kafka';
import { deadLetterPayloadFromBytes, describeIssues, type ValidationIssue } from '@kuroshio/contracts';
import { dateTimeText } from '@kuroshio/clickhouse';

/**
 * A record the sink could not land, as a `dead_letters` row (infra/clickhouse/migrations/0002): the
 * same table the ETL mirrors events.dlq into, so one query finds every record the platform refused.
 * These topics are written by our own services, so a bad record is a bug to look at, not customer
 * input: it is kept where people look, and the partition moves on.
 */
export function deadLetterRow(message: ConsumedMessage, issues: readonly ValidationIssue[], failedAt: Date): Record<string, unknown> {
  const payload = deadLetterPayloadFromBytes(message.value ?? new Uint8Array());
  return {
    source_topic: message.topic,
    source_partition: message.partition,
    source_offset: message.offset,
    source_timestamp: dateTimeText(new Date(Number(message.timestamp))),
    failed_at: dateTimeText(failedAt),
    tenant: '',
    source: 'warehouse-sink',
    message_id: '',
    reason_code: 'sink.invalid_value',
    reason: describeIssues(issues).slice(0, 4096),
    record_key: message.key?.toString('utf8') ?? '',
    record_value: payload.data,
    value_encoding: payload.encoding,
    headers: JSON.stringify(message.headers),
  };
}
