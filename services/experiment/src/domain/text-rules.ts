import { actorMissing, invalidArgument } from './experiment-errors.js';

// Free text the service accepts. It is stored verbatim — SQL or markup in it is data, never code,
// because every value reaches ClickHouse through the one escaping function and the dashboard
// writes text with textContent — but control characters and unpaired surrogates are refused.

const LINE_BREAKS = new Set([0x09, 0x0a, 0x0d]);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const TEXT_LIMITS = {
  actor: 256,
  reason: 1024,
  hypothesis: 2000,
  description: 4096,
  owner: 256,
  event: 200,
  stringOperand: 256,
} as const;

function hasControl(value: string, multiline: boolean): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 || (code >= 0x7f && code <= 0x9f)) && !(multiline && LINE_BREAKS.has(code))) return true;
  }
  return false;
}

/** Checks one free-text field and names it in the error. */
export function checkText(field: string, value: unknown, rule: { max: number; multiline?: boolean; required?: boolean }): string {
  if (typeof value !== 'string') throw invalidArgument(`${field} must be text`, 'invalid_text', { field });
  if (value.length > rule.max) throw invalidArgument(`${field} is ${value.length} characters long; at most ${rule.max} allowed`, 'text_too_long', { field });
  if (rule.required === true && value.trim() === '') throw invalidArgument(`${field} is required`, 'missing_field', { field });
  if (LONE_SURROGATE.test(value)) throw invalidArgument(`${field} contains an unpaired UTF-16 surrogate`, 'invalid_text', { field });
  if (hasControl(value, rule.multiline === true)) throw invalidArgument(`${field} contains control characters`, 'invalid_text', { field });
  return value;
}

/** Checks a name against its pattern; the message quotes (a prefix of) what was sent. */
export function checkName(field: string, value: unknown, pattern: RegExp, describe: string, reason: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : String(value);
    throw invalidArgument(`${field} ${shown} is not ${describe}`, reason, { field });
  }
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
