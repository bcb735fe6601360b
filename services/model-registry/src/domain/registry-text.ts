import { ALIAS_PATTERN, MODEL_NAME_PATTERN } from '@kuroshio/contracts';
import { actorMissing, invalidArgument } from './registry-errors.js';

// Free text and names the registry accepts. Names are restricted by the contract patterns (they end
// up in Kafka keys and S3 keys); free text is stored verbatim — SQL or markup in it is data, never
// code, because every value reaches ClickHouse escaped — but control characters and unpaired
// surrogates are refused, since they would corrupt logs and cannot round-trip through UTF-8.

const LINE_BREAKS = new Set([0x09, 0x0a, 0x0d]);

/** C0 and C1 controls (and DEL); tab, line feed and carriage return only when `multiline`. */
function hasControl(value: string, multiline: boolean): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 || (code >= 0x7f && code <= 0x9f)) && !(multiline && LINE_BREAKS.has(code))) return true;
  }
  return false;
}
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const TEXT_LIMITS = {
  actor: 256,
  reason: 1024,
  description: 4096,
  owner: 256,
  labelValue: 256,
  labels: 64,
  requestId: 128,
} as const;

export interface TextRule {
  readonly max: number;
  /** Tabs and line breaks allowed (descriptions, reasons). */
  readonly multiline?: boolean;
}

/** Checks one free-text field and names it in the error. */
export function checkText(field: string, value: string, rule: TextRule): string {
  if (value.length > rule.max) throw invalidArgument(`${field} is ${value.length} characters long; at most ${rule.max} allowed`, 'text_too_long', { field });
  if (LONE_SURROGATE.test(value)) throw invalidArgument(`${field} contains an unpaired UTF-16 surrogate`, 'invalid_text', { field });
  if (hasControl(value, rule.multiline === true)) {
    throw invalidArgument(`${field} contains control characters`, 'invalid_text', { field });
  }
  return value;
}

export function checkModelName(value: string, field = 'model_name'): string {
  if (!MODEL_NAME_PATTERN.test(value)) {
    throw invalidArgument(`${field} ${JSON.stringify(value.slice(0, 80))} is not a model name (lower-case letters, digits and hyphens, starting with a letter, at most 63)`, 'invalid_model_name', { field });
  }
  return value;
}

export function checkAlias(value: string, field = 'alias'): string {
  if (!ALIAS_PATTERN.test(value)) {
    throw invalidArgument(`${field} ${JSON.stringify(value.slice(0, 80))} is not an alias name (lower-case letters, digits and hyphens, starting with a letter, at most 63)`, 'invalid_alias', { field });
  }
  return value;
}

export function checkVersionNumber(value: number, field = 'version'): number {
  if (!Number.isInteger(value) || value < 1 || value > 0xffff_ffff) throw invalidArgument(`${field} must be a version number from 1`, 'invalid_version', { field });
  return value;
}

/** Who is changing something: required, one line, trimmed. */
export function checkActor(value: string): string {
  const actor = value.trim();
  if (actor === '') throw actorMissing();
  return checkText('actor (x-kuroshio-actor)', actor, { max: TEXT_LIMITS.actor });
}

export function checkReason(value: string): string {
  return checkText('reason', value.trim(), { max: TEXT_LIMITS.reason, multiline: true });
}
