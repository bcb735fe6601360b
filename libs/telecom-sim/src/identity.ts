import type { SeededRandom } from './random.js';

// Letter codes of Taiwanese national ID numbers (the first letter is the registering city/county).
const AREA_CODES: Readonly<Record<string, number>> = {
  A: 10, B: 11, C: 12, D: 13, E: 14, F: 15, G: 16, H: 17, I: 34, J: 18, K: 19, L: 20, M: 21,
  N: 22, O: 35, P: 23, Q: 24, R: 25, S: 26, T: 27, U: 28, V: 29, W: 32, X: 30, Y: 31, Z: 33,
};
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 1];

/** A valid (checksummed) but made-up Taiwanese national ID number, e.g. `A123456789`. */
export function taiwanNationalId(random: SeededRandom): string {
  const letter = random.pick(Object.keys(AREA_CODES));
  const code = AREA_CODES[letter] as number;
  const digits = [random.int(1, 2), ...Array.from({ length: 7 }, () => random.int(0, 9))];
  let sum = Math.floor(code / 10) + (code % 10) * 9;
  digits.forEach((digit, index) => {
    sum += digit * (WEIGHTS[index] as number);
  });
  const check = (10 - (sum % 10)) % 10;
  return `${letter}${digits.join('')}${check}`;
}

/** A Taiwanese mobile number in national form, 09 + 8 digits. */
export function taiwanMobile(random: SeededRandom): string {
  return `09${String(random.int(0, 99_999_999)).padStart(8, '0')}`;
}

export function emailAddress(random: SeededRandom, localPart: string): string {
  return `${localPart}@${random.pick(['gmail.com', 'yahoo.com.tw', 'hinet.net', 'outlook.com'])}`;
}
