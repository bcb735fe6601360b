import {
  describeIssues,
  enrichInboundEvent,
  partitionKey,
  validateInboundEvent,
  type RawEventValue,
  type ValidationIssue,
} from '@kuroshio/contracts';
import type { Source } from '../sources/source-definition.js';
import { fastEnvelope, type FastEnrichment } from './inbound-fast-path.js';

export const REJECTION_CODES = ['invalid_envelope', 'event_too_large', 'channel_not_allowed'] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

/** Why one event of a request was not accepted; `index` is its position in the request. */
export interface EventRejection {
  readonly index: number;
  readonly messageId: string | undefined;
  readonly code: RejectionCode;
  readonly reason: string;
  readonly issues: readonly ValidationIssue[];
}

/**
 * One accepted event, serialised once, ready for Kafka. The value is UTF-8 bytes outside the V8
 * heap: while a request waits for Kafka its records are what it holds, and bytes the young
 * generation never has to copy or promote cost less than the same JSON as a string.
 */
export interface PreparedRecord {
  readonly key: string;
  readonly value: Buffer;
  readonly bytes: number;
  /** The request's trace context (W3C traceparent), shared by every record of the request. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface IngestContext {
  readonly source: Source;
  readonly transport: RawEventValue['ingest']['transport'];
  readonly requestId: string;
  readonly collector: string;
  readonly receivedAt: Date;
  readonly maxEventBytes: number;
  /** Added to each event's position (a gRPC stream counts across chunks). */
  readonly indexOffset?: number;
  /** Kafka headers for every record of the request: its trace context. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface PreparedBatch {
  readonly records: PreparedRecord[];
  readonly rejections: EventRejection[];
  readonly bytes: number;
}

/**
 * Validates each event once, enriches it with what the collector knows (tenant, source,
 * receivedAt, the source's channel) and serialises the events.raw value once. Bad events are
 * reported by position; the good ones go on.
 */
export function prepareEvents(inputs: readonly unknown[], context: IngestContext): PreparedBatch {
  const records: PreparedRecord[] = [];
  const rejections: EventRejection[] = [];
  let bytes = 0;
  const offset = context.indexOffset ?? 0;
  const enrichment = { tenant: context.source.tenant, source: context.source.id, receivedAt: context.receivedAt, defaultChannel: context.source.channel };
  const fastEnrichment: FastEnrichment = { ...enrichment, receivedAt: context.receivedAt.toISOString() };
  for (let position = 0; position < inputs.length; position += 1) {
    const input = inputs[position];
    const index = offset + position;
    let envelope = fastEnvelope(input, fastEnrichment);
    if (envelope === undefined) {
      // The contracts' zod schema decides (and words the rejection) whenever the shortcut is unsure.
      const validated = validateInboundEvent(input);
      if (!validated.ok) {
        rejections.push({ index, messageId: messageIdOf(input), code: 'invalid_envelope', reason: describeIssues(validated.issues), issues: validated.issues });
        continue;
      }
      envelope = enrichInboundEvent(validated.value, enrichment);
    }
    if (!context.source.allowedChannels.includes(envelope.context.channel)) {
      const issue = { path: 'context.channel', code: 'channel_not_allowed', message: `source ${context.source.id} may not send ${envelope.context.channel} events` };
      rejections.push({ index, messageId: envelope.messageId, code: 'channel_not_allowed', reason: describeIssues([issue]), issues: [issue] });
      continue;
    }
    const value: RawEventValue = {
      envelope,
      ingest: { transport: context.transport, requestId: context.requestId, collector: context.collector, batchIndex: index },
    };
    const serialised = Buffer.from(JSON.stringify(value), 'utf8');
    const size = serialised.length;
    if (size > context.maxEventBytes) {
      const issue = { path: '', code: 'too_large', message: `event is ${size} bytes encoded; at most ${context.maxEventBytes} allowed` };
      rejections.push({ index, messageId: envelope.messageId, code: 'event_too_large', reason: describeIssues([issue]), issues: [issue] });
      continue;
    }
    records.push(
      context.headers === undefined ? { key: partitionKey(envelope), value: serialised, bytes: size } : { key: partitionKey(envelope), value: serialised, bytes: size, headers: context.headers },
    );
    bytes += size;
  }
  return { records, rejections, bytes };
}

// Echoed back so a sender can match a rejection to its event, only when it is a plausible id.
function messageIdOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const id = (input as Record<string, unknown>)['messageId'];
  return typeof id === 'string' && id.length > 0 && id.length <= 256 ? id : undefined;
}
