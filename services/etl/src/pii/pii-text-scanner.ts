import { canonicalEmailAddress, EMAIL_ADDRESS_PATTERN } from './email-address.js';
import { foldFullwidth } from './fullwidth-folding.js';
import { canonicalPaymentCard, PAYMENT_CARD_PATTERN } from './payment-card.js';
import { canonicalPhoneNumber, INTERNATIONAL_PHONE_PATTERN, TAIWAN_MOBILE_PATTERN, TAIWAN_MSISDN_PATTERN } from './phone-number.js';
import type { PiiKind } from './pii-kind.js';
import { canonicalTaiwanNationalId, isTaiwanNationalId, TAIWAN_NATIONAL_ID_PATTERN } from './taiwan-national-id.js';

/** One value found in a text: its kind, its span in the original text and its canonical form. */
export interface PiiHit {
  kind: PiiKind;
  start: number;
  end: number;
  canonical: string;
}

/*
 * Boundaries are spelled out instead of \b: \b treats CJK as non-word, which is what we want, but it
 * also treats "-" and "." as boundaries, so ORD-0912345678, 1.0912345678 and 0912345678-01 would
 * look like phones. A number-like value must not touch an ASCII letter, digit or underscore, nor a
 * "-" or "." that itself touches one. CJK characters and CJK punctuation are boundaries.
 */
const NOT_AFTER_WORD = '(?<![A-Za-z0-9_]|[A-Za-z0-9_][.\\-])';
const NOT_BEFORE_WORD = '(?![A-Za-z0-9_]|[.\\-][A-Za-z0-9_])';

const NUMBER_LIKE: ReadonlyArray<[PiiKind, string]> = [
  ['national_id', TAIWAN_NATIONAL_ID_PATTERN],
  ['phone', `${TAIWAN_MOBILE_PATTERN}|${TAIWAN_MSISDN_PATTERN}|${INTERNATIONAL_PHONE_PATTERN}`],
  ['card', PAYMENT_CARD_PATTERN],
];

interface Scanner {
  pattern: RegExp;
  /** kinds[i] is the kind of capture group i + 1. */
  kinds: readonly PiiKind[];
}

function scanner(withEmail: boolean, withNumbers: boolean): Scanner {
  const alternatives: string[] = [];
  const kinds: PiiKind[] = [];
  // E-mail first: an address may start with a phone or an ID ("0912345678@gmail.com"), and the
  // address is the larger value.
  if (withEmail) {
    alternatives.push(`(${EMAIL_ADDRESS_PATTERN})`);
    kinds.push('email');
  }
  if (withNumbers) {
    const numbers = NUMBER_LIKE.map(([, source]) => `(${source})`).join('|');
    alternatives.push(`${NOT_AFTER_WORD}(?:${numbers})${NOT_BEFORE_WORD}`);
    kinds.push(...NUMBER_LIKE.map(([kind]) => kind));
  }
  return { pattern: new RegExp(alternatives.join('|'), 'g'), kinds };
}

// One combined pass per string; strings without "@" skip the e-mail alternative, whose local part
// would otherwise be tried at every letter.
const ALL = scanner(true, true);
const NUMBERS_ONLY = scanner(false, true);
const EMAIL_ONLY = scanner(true, false);
const ANY_DIGIT = /[0-9]/;
const MAX_EMAIL_LENGTH = 254;

function canonicalOf(kind: PiiKind, candidate: string): string | undefined {
  switch (kind) {
    case 'email':
      return candidate.length <= MAX_EMAIL_LENGTH ? canonicalEmailAddress(candidate) : undefined;
    case 'national_id':
      return isTaiwanNationalId(candidate) ? canonicalTaiwanNationalId(candidate) : undefined;
    case 'phone':
      return canonicalPhoneNumber(candidate);
    case 'card':
      return canonicalPaymentCard(candidate);
  }
}

/**
 * A greedy digit run may have taken a following group that is not part of the value ("4111 1111
 * 1111 1111 12/27", "+886 912 345 678 12"); retry at each earlier space, longest first.
 */
function shortestValidPrefix(kind: PiiKind, candidate: string): [string, string] | undefined {
  for (let cut = candidate.lastIndexOf(' '); cut > 0; cut = candidate.lastIndexOf(' ', cut - 1)) {
    const prefix = candidate.slice(0, cut).trimEnd();
    const canonical = canonicalOf(kind, prefix);
    if (canonical !== undefined) return [prefix, canonical];
  }
  return undefined;
}

/** True when the leading "(" is closed before another one opens ("(0912)…", "(+886) 9…"). */
function opensAndCloses(candidate: string): boolean {
  const close = candidate.indexOf(')');
  const reopen = candidate.indexOf('(', 1);
  return close > 0 && (reopen < 0 || close < reopen);
}

function pickScanner(text: string): Scanner | undefined {
  const hasAt = text.includes('@');
  const hasDigit = ANY_DIGIT.test(text);
  if (hasAt) return hasDigit ? ALL : EMAIL_ONLY;
  return hasDigit ? NUMBERS_ONLY : undefined;
}

/** Calls `visit` for each value found, left to right, spans never overlapping. */
export function scanPii(text: string, visit: (hit: PiiHit) => void): void {
  // Shortest values: "a@b.co" (6), "+12345678" (9), an ID (10), a card (13).
  if (text.length < 6) return;
  const folded = foldFullwidth(text);
  const selected = pickScanner(folded);
  if (selected === undefined) return;
  const { pattern, kinds } = selected;
  pattern.lastIndex = 0;
  for (let match = pattern.exec(folded); match !== null; match = pattern.exec(folded)) {
    let group = 1;
    while (match[group] === undefined) group++;
    const kind = kinds[group - 1] as PiiKind;
    let start = match.index;
    let candidate = match[0];
    // "(0912345678)": the opening parenthesis belongs to the number only if the number closes it.
    if (candidate.charCodeAt(0) === 40 /* ( */ && !opensAndCloses(candidate)) {
      start++;
      candidate = candidate.slice(1);
    }
    let canonical = canonicalOf(kind, candidate);
    if (canonical === undefined) {
      const shorter = kind === 'email' ? undefined : shortestValidPrefix(kind, candidate);
      if (shorter === undefined) {
        pattern.lastIndex = match.index + 1;
        continue;
      }
      [candidate, canonical] = shorter;
    }
    const end = start + candidate.length;
    visit({ kind, start, end, canonical });
    pattern.lastIndex = end;
  }
}
