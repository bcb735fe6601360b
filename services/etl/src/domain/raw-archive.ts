import type { PiiScrubber } from './pii-scrubber.js';
import type { RawRecord } from './raw-record.js';

/** One line of a raw/ object: the record as consumed, PII replaced by the same tokens as in clean/. */
export interface RawArchiveLine {
  topic: string;
  partition: number;
  offset: string;
  /** Kafka timestamp, epoch ms. */
  timestamp: string;
  key: string | null;
  headers: Record<string, string>;
  /** The value bytes as text (UTF-8, or base64 when `valueEncoding` says so). */
  value: string | null;
  valueEncoding: 'utf8' | 'base64';
  /** True when the value had to be re-serialised to remove PII the text could not be edited for. */
  reserialised?: true;
}

export interface ScrubbedValue {
  readonly text: string | null;
  readonly encoding: 'utf8' | 'base64';
  readonly reserialised: boolean;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The record's value with PII removed but otherwise byte for byte: pattern PII replaced in the text
 * itself, and values the clean pipeline tokenised (explicit `x-pii` fields) replaced where they
 * stand as JSON strings. Bytes that are not UTF-8 are scanned as Latin-1 (one char per byte, so the
 * edit is byte-exact) and kept as base64. A string is the value already decoded as strict UTF-8
 * (saves decoding every accepted record twice).
 */
export function scrubRecordValue(
  value: Buffer | string | null,
  scrubber: PiiScrubber,
  replacements: ReadonlyArray<readonly [string, string]> = [],
  options: { reserialiseNow?: boolean; reserialiseWith?: () => string } = {},
): ScrubbedValue {
  const { reserialiseNow = false, reserialiseWith } = options;
  if (value === null) return { text: null, encoding: 'utf8', reserialised: false };
  if (reserialiseNow && reserialiseWith !== undefined) return { text: scrubber.scrubText(reserialiseWith()).text, encoding: 'utf8', reserialised: true };
  let text: string;
  try {
    text = typeof value === 'string' ? value : strictUtf8.decode(value);
  } catch {
    const scrubbed = scrubber.scrubText((value as Buffer).toString('latin1')).text;
    return { text: Buffer.from(scrubbed, 'latin1').toString('base64'), encoding: 'base64', reserialised: false };
  }
  // Whole-value replacements first: a pattern replaced inside an explicit field would otherwise
  // stop the field's original text from matching, leaving the rest of it in clear.
  for (const [before, after] of replacements) {
    const quoted = JSON.stringify(before);
    if (!text.includes(quoted)) {
      // Escaped differently than JSON.stringify would (\u sequences): edit the parsed value instead.
      if (reserialiseWith !== undefined) return { text: scrubber.scrubText(reserialiseWith()).text, encoding: 'utf8', reserialised: true };
      continue;
    }
    text = text.replaceAll(quoted, JSON.stringify(after));
  }
  return { text: scrubber.scrubText(text).text, encoding: 'utf8', reserialised: false };
}

export function rawArchiveLine(record: RawRecord, value: ScrubbedValue, scrubber: PiiScrubber): RawArchiveLine {
  const headers: Record<string, string> = {};
  for (const [name, text] of Object.entries(record.headers)) headers[name] = scrubber.scrubText(text).text;
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: record.key === null ? null : scrubber.scrubText(record.key.toString('utf8')).text,
    headers,
    value: value.text,
    valueEncoding: value.encoding,
    ...(value.reserialised ? { reserialised: true as const } : {}),
  };
}
