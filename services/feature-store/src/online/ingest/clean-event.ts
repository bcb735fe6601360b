import { decodeTopicValue, describeIssues, partitionKey, TOPICS, type CleanEventValue, type KafkaCoordinates } from '@kuroshio/contracts';
import type { OnlineEvent } from '../state/event-match.js';

/** `raw`: the events.raw record the ETL made it from; a replayed batch produces it again with the same coordinates. */
export type DecodedCleanEvent = { ok: true; event: OnlineEvent; raw: KafkaCoordinates } | { ok: false; reason: string };

/** An events.clean envelope as the online state sees it; the customer is userId, else anonymousId. */
export function onlineEventOf(value: CleanEventValue): OnlineEvent {
  const envelope = value.envelope;
  return {
    entityId: partitionKey(envelope),
    type: envelope.type,
    event: envelope.event,
    timeMs: Date.parse(envelope.timestamp),
    properties: envelope.properties,
  };
}

/**
 * Decodes and validates one record value. The ETL only publishes valid events, so a failure here
 * means a producer bug or a schema drift; the caller counts and skips it (the record stays in the
 * topic, the lake and ClickHouse for inspection) rather than stopping the partition.
 */
export function decodeCleanEvent(bytes: Uint8Array | null): DecodedCleanEvent {
  const decoded = decodeTopicValue(TOPICS.eventsClean, bytes);
  if (!decoded.ok) return { ok: false, reason: describeIssues(decoded.issues) };
  const event = onlineEventOf(decoded.value);
  if (!Number.isFinite(event.timeMs)) return { ok: false, reason: `unparseable timestamp ${decoded.value.envelope.timestamp}` };
  return { ok: true, event, raw: decoded.value.processing.raw };
}
