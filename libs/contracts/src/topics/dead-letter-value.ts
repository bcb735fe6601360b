import { z } from 'zod';
import { instantSchema, kafkaCoordinatesSchema, validationIssueSchema } from './shared-schemas.js';

export const DEAD_LETTER_STAGES = [
  'collector',
  'etl.decode',
  'etl.validate',
  'etl.schema',
  'etl.normalise',
  'etl.tokenise',
  'etl.sink',
] as const;

export type DeadLetterStage = (typeof DEAD_LETTER_STAGES)[number];

/** The original bytes: as text when they are valid UTF-8, else base64. */
export const deadLetterPayloadSchema = z.object({
  encoding: z.enum(['utf8', 'base64']),
  data: z.string(),
});

export type DeadLetterPayload = z.output<typeof deadLetterPayloadSchema>;

/**
 * events.dlq: a record that could not be processed, kept with why. The payload must already be
 * PII-tokenised as free text before it is produced: the DLQ is mirrored into ClickHouse.
 */
export const deadLetterValueSchema = z.object({
  stage: z.enum(DEAD_LETTER_STAGES),
  /** Stable code for grouping and alerting, e.g. "INVALID_ENVELOPE", "SCHEMA_MISMATCH". */
  errorCode: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/),
  reason: z.string().min(1).max(4096),
  issues: z.array(validationIssueSchema).max(100),
  payload: deadLetterPayloadSchema,
  /** The Kafka record that failed; null for events rejected before they reached Kafka. */
  origin: kafkaCoordinatesSchema.extend({ key: z.string().nullable() }).nullable(),
  tenant: z.string().max(128).nullable(),
  source: z.string().max(128).nullable(),
  messageId: z.string().max(256).nullable(),
  failedAt: instantSchema,
});

export type DeadLetterValue = z.output<typeof deadLetterValueSchema>;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function deadLetterPayloadFromBytes(bytes: Uint8Array): DeadLetterPayload {
  try {
    return { encoding: 'utf8', data: strictUtf8.decode(bytes) };
  } catch {
    return { encoding: 'base64', data: Buffer.from(bytes).toString('base64') };
  }
}

export function bytesFromDeadLetterPayload(payload: DeadLetterPayload): Buffer {
  return Buffer.from(payload.data, payload.encoding === 'utf8' ? 'utf8' : 'base64');
}
