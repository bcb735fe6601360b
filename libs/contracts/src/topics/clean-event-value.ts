import { z } from 'zod';
import { cleanEnvelopeSchema } from '../envelope/envelope-schema.js';
import { instantSchema, kafkaCoordinatesSchema } from './shared-schemas.js';

/**
 * events.clean: the envelope after validation, normalisation, deduplication and PII tokenisation,
 * with what the ETL did to it.
 */
export const cleanEventValueSchema = z.object({
  envelope: cleanEnvelopeSchema,
  processing: z.object({
    /** The events.raw record this came from. */
    raw: kafkaCoordinatesSchema,
    /** Per-event-type properties schema applied, e.g. "carrier_billing_charged@2"; null if none. */
    eventSchema: z.string().min(1).max(256).nullable(),
    /** Device clock correction applied to the event time, from sentAt and receivedAt. */
    clockSkewMs: z.number().finite(),
    /** Paths whose values were replaced by PII tokens. */
    tokenizedPaths: z.array(z.string().max(1024)).max(1000),
    processedAt: instantSchema,
  }),
});

export type CleanEventValue = z.output<typeof cleanEventValueSchema>;
