/**
 * Payment card numbers: 13–19 digits, optionally grouped by single spaces or dashes, starting with
 * an issuer digit 2–6. A candidate counts only if it passes the Luhn check and its length fits the
 * issuer family, which turns away millisecond timestamps, order numbers and most digit runs.
 */
export const PAYMENT_CARD_PATTERN = '[2-6](?:[ \\-]?\\d){12,18}';

/** Luhn check over a string of ASCII digits. */
export function isLuhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** The digit that completes `payload` into a Luhn-valid number (used to issue test data). */
export function luhnCheckDigit(payload: string): number {
  for (let d = 0; d <= 9; d++) if (isLuhnValid(`${payload}${d}`)) return d;
  throw new RangeError('payload must be ASCII digits');
}

function prefixBetween(digits: string, length: number, low: number, high: number): boolean {
  const prefix = Number(digits.slice(0, length));
  return prefix >= low && prefix <= high;
}

/** Whether a known issuer family (Visa, Mastercard, Amex, Diners, JCB, Discover, UnionPay, Maestro, Mir) issues this length. */
export function fitsIssuerLength(digits: string): boolean {
  const n = digits.length;
  switch (digits.charCodeAt(0) - 48) {
    case 2: // Mastercard 2-series 2221–2720, Mir 2200–2204
      return n === 16 && (prefixBetween(digits, 4, 2221, 2720) || prefixBetween(digits, 4, 2200, 2204));
    case 3:
      if (digits.startsWith('34') || digits.startsWith('37')) return n === 15; // Amex
      if (prefixBetween(digits, 4, 3528, 3589)) return n >= 16; // JCB
      return /^3(?:0[0-5]|[689])/.test(digits) && n >= 14; // Diners
    case 4: // Visa
      return n === 13 || n === 16 || n === 19;
    case 5: // Mastercard 51–55; Maestro 50, 56–59
      return prefixBetween(digits, 2, 51, 55) ? n === 16 : n >= 16;
    case 6: // Discover, UnionPay, Maestro
      return n >= 16;
    default:
      return false;
  }
}

/**
 * Digits of a card candidate, or undefined when it is not a plausible card. Mixed separators
 * ("4111 1111-1111 1111") are not how cards are written and are refused.
 */
export function canonicalPaymentCard(candidate: string): string | undefined {
  const hasSpace = candidate.includes(' ');
  if (hasSpace && candidate.includes('-')) return undefined;
  const digits = hasSpace || candidate.includes('-') ? candidate.replace(/[ -]/g, '') : candidate;
  if (digits.length < 13 || digits.length > 19) return undefined;
  return fitsIssuerLength(digits) && isLuhnValid(digits) ? digits : undefined;
}
