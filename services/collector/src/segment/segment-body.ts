import type { EventType } from '@kuroshio/contracts';
import { DomainError } from '@kuroshio/service-kit';

/** The Segment tracking API calls: `/v1/batch` and one route per event type. */
export type SegmentCall = 'batch' | EventType;

export interface SegmentPayload {
  /** The events as sent, still unvalidated; positions are the indexes reported back. */
  readonly events: readonly unknown[];
  /** analytics.js puts the write key in the body (a header would cost a CORS preflight). */
  readonly bodyWriteKey: string | undefined;
}

/**
 * Reads a Segment request body. A single call's body is the event, its type given by the route.
 * A batch is `{ batch: [...] }`, whose top-level `context` and `sentAt` apply to every event
 * that does not carry its own (as Segment's HTTP API does). An event without a `timestamp` takes
 * its `originalTimestamp`: RudderStack's SDKs send the call's time only there, and without it the
 * ETL would date the event by its `sentAt`, the flush (seconds later, or much later after retries).
 */
export function segmentPayload(call: SegmentCall, body: unknown): SegmentPayload {
  if (!isObject(body)) {
    throw new DomainError('INVALID_ARGUMENT', 'body must be a JSON object', { reason: 'invalid_body' });
  }
  const bodyWriteKey = typeof body['writeKey'] === 'string' && body['writeKey'] !== '' ? body['writeKey'] : undefined;
  if (call !== 'batch') return { events: [withDefaults({ ...body, type: call }, {})], bodyWriteKey };

  const batch = body['batch'];
  if (!Array.isArray(batch)) {
    throw new DomainError('INVALID_ARGUMENT', 'body.batch must be an array of events', { reason: 'invalid_batch' });
  }
  const shared: SharedFields = { context: isObject(body['context']) ? body['context'] : undefined, sentAt: body['sentAt'] };
  return { events: batch.map((event: unknown) => withDefaults(event, shared)), bodyWriteKey };
}

interface SharedFields {
  readonly context?: Record<string, unknown> | undefined;
  readonly sentAt?: unknown;
}

/** The event with what it leaves out filled in; the same object when nothing is missing. */
function withDefaults(event: unknown, shared: SharedFields): unknown {
  if (!isObject(event)) return event;
  const takeContext = shared.context !== undefined && (event['context'] === undefined || isObject(event['context']));
  const takeSentAt = shared.sentAt !== undefined && event['sentAt'] === undefined;
  const takeOriginalTimestamp = (event['timestamp'] === undefined || event['timestamp'] === null) && event['originalTimestamp'] !== undefined;
  if (!takeContext && !takeSentAt && !takeOriginalTimestamp) return event;
  const merged: Record<string, unknown> = { ...event };
  if (takeContext) merged['context'] = { ...shared.context, ...(event['context'] as Record<string, unknown> | undefined) };
  if (takeSentAt) merged['sentAt'] = shared.sentAt;
  if (takeOriginalTimestamp) merged['timestamp'] = event['originalTimestamp'];
  return merged;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
