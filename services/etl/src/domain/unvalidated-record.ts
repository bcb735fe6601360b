import type { EventEnvelope } from '@kuroshio/contracts';
import type { EventSchemas } from './event-schemas.js';
import type { PiiScrubber } from './pii-scrubber.js';
import { scrubRecordValue, type ScrubbedValue } from './raw-archive.js';
import type { RawRecord } from './raw-record.js';

/** Whatever identity a record that failed the contract still shows (strings only, never trusted further). */
export function identityOf(parsed: unknown): { tenant?: string; source?: string; type?: string; event?: string; messageId?: string } {
  const envelope = (parsed as { envelope?: Record<string, unknown> } | null | undefined)?.envelope;
  if (typeof envelope !== 'object' || envelope === null) return {};
  const text = (name: string) => (typeof envelope[name] === 'string' ? (envelope[name] as string) : undefined);
  const found: Record<string, string> = {};
  for (const [name, value] of [['tenant', text('tenant')], ['source', text('source')], ['type', text('type')], ['event', text('event')], ['messageId', text('messageId')]] as const) {
    if (value !== undefined) found[name] = value;
  }
  return found;
}

/**
 * A record that failed the contract: pattern PII replaced in its text; when it still parses as an
 * envelope of an event whose schema marks fields as PII, those are tokenised too (re-serialised).
 */
export function scrubUnvalidated(record: RawRecord, parsed: unknown, processing: { schemas: EventSchemas; scrubber: PiiScrubber }): ScrubbedValue {
  const identity = identityOf(parsed);
  const type = identity.type as EventEnvelope['type'] | undefined;
  const schema = type === undefined ? undefined : processing.schemas.versionsOf(type, identity.event)[0];
  if (schema === undefined || schema.piiPaths.length === 0) return scrubRecordValue(record.value, processing.scrubber);
  return scrubRecordValue(record.value, processing.scrubber, [], {
    reserialiseNow: true,
    reserialiseWith: () => JSON.stringify(processing.scrubber.scrubJson(parsed, schema.recordPiiPaths).value),
  });
}
