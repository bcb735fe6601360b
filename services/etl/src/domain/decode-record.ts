import { validateRawEventValue, type RawEventValue, type ValidationIssue } from '@kuroshio/contracts';
import { parseJsonKeepingCardDigits } from '../pii/index.js';
import { channelOfContext } from './channel-names.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export type DecodedRecord =
  | { ok: true; value: RawEventValue; parsed: unknown; text: string }
  | { ok: false; stage: 'etl.decode' | 'etl.validate'; errorCode: 'INVALID_JSON' | 'INVALID_ENVELOPE'; issues: ValidationIssue[]; parsed: unknown; text: string | undefined };

/**
 * Bytes → JSON (card numbers too long for a double kept as digit strings) → the events.raw contract. The channel name is normalised first (`Mobile App`,
 * `LINE`, `call-centre` …), since the contract admits only the platform's six names.
 */
export function decodeRecord(value: Buffer | null): DecodedRecord {
  if (value === null) {
    return { ok: false, stage: 'etl.decode', errorCode: 'INVALID_JSON', issues: [{ path: '', code: 'required', message: 'record has no value' }], parsed: undefined, text: undefined };
  }
  let text: string;
  try {
    text = strictUtf8.decode(value);
  } catch {
    return { ok: false, stage: 'etl.decode', errorCode: 'INVALID_JSON', issues: [{ path: '', code: 'invalid_utf8', message: 'value is not UTF-8' }], parsed: undefined, text: undefined };
  }
  let parsed: unknown;
  try {
    parsed = parseJsonKeepingCardDigits(text);
  } catch (error) {
    return { ok: false, stage: 'etl.decode', errorCode: 'INVALID_JSON', issues: [{ path: '', code: 'invalid_json', message: (error as Error).message }], parsed: undefined, text };
  }
  // The compiled check of the contract; zod's parse (and its issue texts) for what it does not accept.
  const checked = validateRawEventValue(withNormalisedChannel(parsed));
  if (!checked.ok) {
    return { ok: false, stage: 'etl.validate', errorCode: 'INVALID_ENVELOPE', issues: checked.issues, parsed, text };
  }
  return { ok: true, value: checked.value, parsed, text };
}

function withNormalisedChannel(parsed: unknown): unknown {
  const envelope = (parsed as { envelope?: { context?: unknown } } | null)?.envelope;
  if (typeof envelope !== 'object' || envelope === null) return parsed;
  const context = envelope.context;
  const channel = channelOfContext(context);
  if (channel === undefined || typeof context !== 'object' || context === null) return parsed;
  return { ...(parsed as object), envelope: { ...envelope, context: { ...context, channel } } };
}
