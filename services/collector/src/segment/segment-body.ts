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
 * that does not carry its own (as Segment's HTTP API does).
 */
export function segmentPayload(call: SegmentCall, body: unknown): SegmentPayload {
  if (!isObject(body)) {
    throw new DomainError('INVALID_ARGUMENT', 'body must be a JSON object', { reason: 'invalid_body' });
  }
  const bodyWriteKey = typeof body['writeKey'] === 'string' && body['writeKey'] !== '' ? body['writeKey'] : undefined;
  if (call !== 'batch') return { events: [{ ...body, type: call }], bodyWriteKey };

  const batch = body['batch'];
  if (!Array.isArray(batch)) {
    throw new DomainError('INVALID_ARGUMENT', 'body.batch must be an array of events', { reason: 'invalid_batch' });
  }
  const sharedContext = isObject(body['context']) ? body['context'] : undefined;
  const sharedSentAt = body['sentAt'];
  if (sharedContext === undefined && sharedSentAt === undefined) return { events: batch, bodyWriteKey };
  return { events: batch.map((event: unknown) => withShared(event, sharedContext, sharedSentAt)), bodyWriteKey };
}

function withShared(event: unknown, context: Record<string, unknown> | undefined, sentAt: unknown): unknown {
  if (!isObject(event)) return event;
  const merged: Record<string, unknown> = { ...event };
  if (context !== undefined && (event['context'] === undefined || isObject(event['context']))) {
    merged['context'] = { ...context, ...(event['context'] as Record<string, unknown> | undefined) };
  }
  if (sentAt !== undefined && event['sentAt'] === undefined) merged['sentAt'] = sentAt;
  return merged;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
