import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalTaiwanNationalId, isTaiwanNationalId, taiwanNationalIdCheckDigit } from './taiwan-national-id.js';
import { taiwanNationalId } from './testing/pii-arbitraries.js';

describe('isTaiwanNationalId', () => {
  it.each([
    ['A123456789', 'the textbook national ID'],
    ['a123456789', 'lower-case area letter'],
    ['F231234561', 'female, New Taipei'],
    ['I100000003', 'I = 34, out of alphabetical order'],
    ['O100000004', 'O = 35'],
    ['W100000001', 'W = 32'],
    ['Z100000002', 'Z = 33'],
    ['A800000014', 'resident certificate since 2021'],
    ['FA12345689', 'resident certificate before 2021 (second letter A)'],
    ['AD12345671', 'resident certificate before 2021 (second letter D)'],
  ])('accepts %s (%s)', (id) => {
    expect(isTaiwanNationalId(id)).toBe(true);
  });

  it.each([
    ['A123456788', 'wrong check digit'],
    ['I100000009', 'I read as if it were alphabetical (18)'],
    ['A323456789', 'gender digit 3'],
    ['AE12345678', 'old resident letter outside A–D'],
    ['1123456789', 'digit instead of area letter'],
    ['A12345678', 'too short'],
    ['A1234567890', 'too long'],
    ['Ａ123456789', 'full-width letter (folding is the scanner’s job)'],
  ])('refuses %s (%s)', (id) => {
    expect(isTaiwanNationalId(id)).toBe(false);
  });

  it('accepts every generated ID built with the check digit, in either case', () => {
    fc.assert(fc.property(taiwanNationalId, (id) => isTaiwanNationalId(id)));
  });

  it('refuses a single-digit change exactly when it breaks the checksum', () => {
    // Weights 2, 4, 5, 6 and 8 share a factor with 10, so some changes keep the sum: those are
    // still valid IDs (of someone else) and must still be accepted.
    const weights = [8, 7, 6, 5, 4, 3, 2, 1, 1];
    fc.assert(
      fc.property(taiwanNationalId, fc.integer({ min: 2, max: 9 }), fc.integer({ min: 1, max: 9 }), (id, position, delta) => {
        const digit = Number(id[position]);
        const changed = (digit + delta) % 10;
        const mutated = `${id.slice(0, position)}${changed}${id.slice(position + 1)}`;
        const keepsChecksum = ((changed - digit) * (weights[position - 1] as number)) % 10 === 0;
        expect(isTaiwanNationalId(mutated)).toBe(keepsChecksum);
      }),
    );
  });

  it('refuses a changed area letter unless the area codes agree modulo 10 in the checksum', () => {
    fc.assert(
      fc.property(taiwanNationalId, fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'), (id, letter) => {
        fc.pre(letter !== id[0]!.toUpperCase());
        const mutated = `${letter}${id.slice(1)}`;
        const prefix = mutated.slice(0, 9);
        expect(isTaiwanNationalId(mutated)).toBe(taiwanNationalIdCheckDigit(prefix) === Number(mutated[9]));
      }),
    );
  });
});

describe('taiwanNationalIdCheckDigit', () => {
  it('completes A12345678 with 9', () => {
    expect(taiwanNationalIdCheckDigit('A12345678')).toBe(9);
  });

  it('refuses a prefix of the wrong length', () => {
    expect(() => taiwanNationalIdCheckDigit('A1234')).toThrow(RangeError);
  });
});

describe('canonicalTaiwanNationalId', () => {
  it('upper-cases so that a123456789 and A123456789 are one person', () => {
    expect(canonicalTaiwanNationalId('fa12345689')).toBe('FA12345689');
  });
});
