import { treeChanges } from './changed-paths.js';
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
  /** True when bytes other than the replaced values changed: the value had to be re-serialised. */
  reserialised?: true;
}

export interface ScrubbedValue {
  readonly text: string | null;
  readonly encoding: 'utf8' | 'base64';
  readonly reserialised: boolean;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The record's value with PII removed. When the text parses, its decoded tree is scrubbed exactly as
 * clean/ is (every string, key and card-like number, plus the `piiPaths` marked in the schema,
 * relative to the record value: `envelope.traits.name`), because scanning JSON text misses values
 * after an escape (`\n0912345678`) and written as escapes (`\u0030912…`). A tree without PII
 * keeps its bytes exactly. A scrubbed tree is written back as JSON.stringify writes it: where the
 * text was JSON.stringify's own (the collector's) the bytes differ only where values were
 * replaced; otherwise the tokens are edited into the text if the edit parses back to the scrubbed
 * tree, and only failing that is the value re-serialised (and marked so). Text that does not parse,
 * and bytes that are not UTF-8 (read as Latin-1, one char per byte, kept as base64), are scanned as
 * text with JSON escapes as boundaries. `parsed` is the value's JSON.parse result, undefined when
 * it did not parse; a string `value` is the bytes already decoded as strict UTF-8.
 */
export function scrubRecordValue(value: Buffer | string | null, parsed: unknown, scrubber: PiiScrubber, piiPaths: readonly string[] = []): ScrubbedValue {
  if (value === null) return { text: null, encoding: 'utf8', reserialised: false };
  let text: string;
  try {
    text = typeof value === 'string' ? value : strictUtf8.decode(value);
  } catch {
    const scrubbed = scrubber.scrubJsonText(value.toString('latin1')).text;
    return { text: Buffer.from(scrubbed, 'latin1').toString('base64'), encoding: 'base64', reserialised: false };
  }
  if (parsed === undefined) return { text: scrubber.scrubJsonText(text).text, encoding: 'utf8', reserialised: false };
  const { value: scrubbed } = scrubber.scrubJson(parsed, piiPaths);
  if (scrubbed === parsed) return { text, encoding: 'utf8', reserialised: false };
  const serialised = JSON.stringify(scrubbed);
  if (JSON.stringify(parsed) === text) return { text: serialised, encoding: 'utf8', reserialised: false };
  const edited = editedInPlace(text, parsed, scrubbed, serialised);
  return edited === undefined ? { text: serialised, encoding: 'utf8', reserialised: true } : { text: edited, encoding: 'utf8', reserialised: false };
}

/**
 * The text with each replaced string's JSON form swapped for its token's, kept only if it parses
 * back to the scrubbed tree: a value escaped otherwise than JSON.stringify escapes it, or a quoted
 * value that also occurs inside another string, would leave PII or corrupt the text.
 */
function editedInPlace(text: string, parsed: unknown, scrubbed: unknown, serialised: string): string | undefined {
  const { replaceable, other } = treeChanges(parsed, scrubbed);
  if (other) return undefined;
  let edited = text;
  for (const [before, after] of replaceable) edited = edited.replaceAll(JSON.stringify(before), JSON.stringify(after));
  try {
    return JSON.stringify(JSON.parse(edited)) === serialised ? edited : undefined;
  } catch {
    return undefined;
  }
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
