import { z } from 'zod';
import { eventEnvelopeSchema } from '../envelope/envelope-schema.js';

export const INGEST_TRANSPORTS = ['http', 'grpc', 'line-webhook'] as const;

/** events.raw: the envelope as accepted, plus how it arrived (for tracing a bad event back). */
export const rawEventValueSchema = z.object({
  envelope: eventEnvelopeSchema,
  ingest: z.object({
    transport: z.enum(INGEST_TRANSPORTS),
    /** Id of the HTTP/gRPC request that carried the event. */
    requestId: z.string().min(1).max(128),
    /** Collector instance (pod or host) that accepted it. */
    collector: z.string().min(1).max(256),
    /** Position of the event in its request's batch. */
    batchIndex: z.number().int().min(0),
  }),
});

export type RawEventValue = z.output<typeof rawEventValueSchema>;
