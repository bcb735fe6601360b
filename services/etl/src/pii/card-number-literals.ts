import { canonicalPaymentCard } from './payment-card.js';

/** An integer literal too long for a double to hold every digit (2^53 has 16). */
const LONG_DIGIT_RUN = /\d{17}/;
const DIGITS_ONLY = /^\d+$/;

interface ReviverContext {
  readonly source?: string;
}

function keepCardDigits(_key: string, value: unknown, context?: ReviverContext): unknown {
  if (typeof value !== 'number' || Number.isSafeInteger(value)) return value;
  const source = context?.source;
  return source !== undefined && DIGITS_ONLY.test(source) && canonicalPaymentCard(source) !== undefined ? source : value;
}

/**
 * JSON.parse, except that an integer literal which is a card number (17–19 digits: Visa, UnionPay,
 * Maestro) but too long for a double becomes the string of its digits. Plain JSON.parse rounds it
 * (6212345678901234567 → 6212345678901234000): the card no longer passes its checks, so it would
 * reach clean/ and ClickHouse as a number that still shows 16 of its digits. As a string it is
 * tokenised like any card in a string. Other numbers parse as JSON.parse parses them; the reviver
 * (with the source text of each value, Node ≥ 21) runs only when the text holds a 17-digit run.
 */
export function parseJsonKeepingCardDigits(text: string): unknown {
  return LONG_DIGIT_RUN.test(text) ? JSON.parse(text, keepCardDigits) : JSON.parse(text);
}
