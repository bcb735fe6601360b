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
 * A record that failed the contract, scrubbed for raw/ and the dead letter: its parsed tree when it
 * is JSON (with the fields its event's schema marks as PII, if it still names one), else its text.
 */
export function scrubUnvalidated(record: RawRecord, text: string | undefined, parsed: unknown, processing: { schemas: EventSchemas; scrubber: PiiScrubber }): ScrubbedValue {
  const identity = identityOf(parsed);
  const type = identity.type as EventEnvelope['type'] | undefined;
  const schema = type === undefined ? undefined : processing.schemas.versionsOf(type, identity.event)[0];
  return scrubRecordValue(text ?? record.value, parsed, processing.scrubber, schema?.recordPiiPaths ?? processing.schemas.recordPiiPaths);
}
