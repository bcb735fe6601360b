/**
 * Mobile and international phone numbers, canonicalised to E.164 so that the same customer gives
 * the same token whether a channel wrote 0912-345-678, (0912) 345 678 or +886 912 345 678.
 *
 * Recognised: Taiwanese mobiles in national form (09 + 8 digits) or as an MSISDN without its "+"
 * (886 + 9 + 8 digits), and any number written with a
 * leading "+" and 8–15 digits (E.164), with spaces, dashes, dots or parentheses between digits.
 * Other national forms (landlines such as 02-2345-6789, "00" international prefixes) are not,
 * because they cannot be told apart from account numbers and amounts without a country.
 */
const SEPARATOR = '(?:[ .\\-]?\\(|\\)[ .\\-]?|[ .\\-])?';
export const TAIWAN_MOBILE_PATTERN = `\\(?09(?:(?:[ .\\-]|\\)[ .\\-]?)?\\d){8}`;
// A Taiwanese MSISDN as operators and billing systems write it, without the "+": 886912345678, 886-912-345-678.
export const TAIWAN_MSISDN_PATTERN = `886[ .\\-]?9(?:[ .\\-]?\\d){8}`;
// Up to 16 digits so that a written trunk zero, +886 (0)912…, still fits.
export const INTERNATIONAL_PHONE_PATTERN = `\\(?\\+${SEPARATOR}\\d(?:${SEPARATOR}\\d){7,15}`;

const NON_DIGITS = /\D/g;

/** E.164 form of a phone candidate, or undefined when it is not a plausible phone number. */
export function canonicalPhoneNumber(candidate: string): string | undefined {
  const international = candidate.charCodeAt(candidate.charCodeAt(0) === 40 /* ( */ ? 1 : 0) === 43 /* + */;
  let digits = candidate.replace(NON_DIGITS, '');
  if (!international) {
    if (digits.length === 10 && digits.startsWith('09')) return `+886${digits.slice(1)}`;
    return digits.length === 12 && digits.startsWith('8869') ? `+${digits}` : undefined;
  }
  // "+44 (0)20…" and "+886 0912…": the national trunk zero is not part of the E.164 number.
  const trunk = candidate.indexOf('(0)');
  if (trunk >= 0) digits = candidate.slice(0, trunk).concat(candidate.slice(trunk + 3)).replace(NON_DIGITS, '');
  if (digits.startsWith('8860')) digits = `886${digits.slice(4)}`;
  if (digits.startsWith('8869')) return digits.length === 12 ? `+${digits}` : undefined;
  if (digits.length < 8 || digits.length > 15 || digits.charCodeAt(0) === 48) return undefined;
  return `+${digits}`;
}
