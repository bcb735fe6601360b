/**
 * Taiwanese national ID numbers (身分證字號) and resident certificate numbers (統一證號).
 *
 * Accepted, all with the official checksum:
 * - national ID: area letter + gender digit 1/2 + 8 digits;
 * - resident certificate since 2021: area letter + 8/9 + 8 digits (same checksum as the national ID);
 * - resident certificate before 2021: area letter + A–D + 8 digits, where the second letter counts
 *   with the units digit of its area code. These stay valid until 2031, and banks hold them on file.
 */
export const TAIWAN_NATIONAL_ID_PATTERN = '[A-Za-z][1289A-Da-d]\\d{8}';

// The official area codes are not alphabetical: I, O, W, Z were added after the others.
const AREA_CODES: readonly number[] = [
  10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25, 26, 27, 28, 29, 32, 30, 31, 33,
];
const DIGIT_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 1, 1] as const;

const CODE_A = 65;
const CODE_0 = 48;

function areaCode(letterCode: number): number | undefined {
  const upper = letterCode >= 97 ? letterCode - 32 : letterCode;
  return AREA_CODES[upper - CODE_A];
}

function checksum(id: string): number | undefined {
  const area = areaCode(id.charCodeAt(0));
  if (area === undefined) return undefined;
  let sum = Math.floor(area / 10) + (area % 10) * 9;
  for (let i = 1; i < 10; i++) {
    const code = id.charCodeAt(i);
    let digit = code - CODE_0;
    if (i === 1 && (digit < 0 || digit > 9)) {
      const second = areaCode(code);
      if (second === undefined) return undefined;
      digit = second % 10;
    }
    if (digit < 0 || digit > 9) return undefined;
    sum += digit * (DIGIT_WEIGHTS[i - 1] as number);
  }
  return sum % 10;
}

const SHAPE = new RegExp(`^${TAIWAN_NATIONAL_ID_PATTERN}$`);

/**
 * True for a checksum-valid ID in any letter case. The checksum misses some single-digit errors:
 * weights 2, 4, 5, 6 and 8 share a factor with 10, so e.g. +5 on the weight-2 digit still validates.
 */
export function isTaiwanNationalId(candidate: string): boolean {
  return SHAPE.test(candidate) && checksum(candidate) === 0;
}

export function canonicalTaiwanNationalId(id: string): string {
  return id.toUpperCase();
}

/** The digit that completes a 9-character prefix into a valid ID (used to issue test data). */
export function taiwanNationalIdCheckDigit(prefix: string): number {
  const partial = checksum(`${prefix}0`);
  if (prefix.length !== 9 || partial === undefined) throw new RangeError('expected a 9-character ID prefix');
  return (10 - partial) % 10;
}
