import { parseWithIssues, type ValidationResult } from '../validation-issue.js';
import {
  cleanEnvelopeSchema,
  eventEnvelopeSchema,
  inboundEventSchema,
  type CleanEnvelope,
  type EventEnvelope,
  type InboundEvent,
} from './envelope-schema.js';

/**
 * Validates an event as a client sent it (HTTP body item, gRPC event, mapped LINE event).
 * The result is a fresh object: unknown top-level keys dropped, nulls turned into undefined.
 */
export function validateInboundEvent(input: unknown): ValidationResult<InboundEvent> {
  return parseWithIssues(inboundEventSchema, input);
}

/** Validates an envelope as it travels on events.raw (tenant, source, receivedAt, channel set). */
export function validateEnvelope(input: unknown): ValidationResult<EventEnvelope> {
  return parseWithIssues(eventEnvelopeSchema, input);
}

/** Validates an envelope as it travels on events.clean (event time settled). */
export function validateCleanEnvelope(input: unknown): ValidationResult<CleanEnvelope> {
  return parseWithIssues(cleanEnvelopeSchema, input);
}
