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

  // The Ministry of the Interior's letter codes, written out here (not taken from the module): the
  // letter's two digits weigh 1 and 9, the next nine 8…1 and 1; valid when the sum ends in 0. An
  // old resident certificate's second letter counts as the units digit of its own code.
  const LETTER_CODES = 'A10 B11 C12 D13 E14 F15 G16 H17 I34 J18 K19 L20 M21 N22 O35 P23 Q24 R25 S26 T27 U28 V29 W32 X30 Y31 Z33';
  const CODE_OF = new Map(LETTER_CODES.split(' ').map((entry) => [entry[0]!, Number(entry.slice(1))]));
  function oracleValid(id: string): boolean {
    const upper = id.toUpperCase();
    const area = CODE_OF.get(upper[0]!);
    if (area === undefined || !/^[A-Z][1289A-D][0-9]{8}$/.test(upper)) return false;
    const second = /[A-D]/.test(upper[1]!) ? CODE_OF.get(upper[1]!)! % 10 : Number(upper[1]);
    const digits = [Math.floor(area / 10), area % 10, second, ...[...upper.slice(2)].map(Number)];
    const weights = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1];
    return digits.reduce((sum, digit, i) => sum + digit * weights[i]!, 0) % 10 === 0;
  }

  it.each(['A123456789', 'F231234561', 'I100000003', 'O100000004', 'W100000001', 'Z100000002', 'A800000014', 'FA12345689', 'AD12345671'])(
    'the independent checksum accepts the published %s too',
    (id) => {
      expect(oracleValid(id)).toBe(true);
    },
  );

  it('agrees with an independent checksum on any letter and digits, valid or not', () => {
    const letter = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz');
    const candidate = fc.tuple(letter, fc.constantFrom(...'1289ABCD'), fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 8, maxLength: 8 }));
    fc.assert(
      fc.property(fc.oneof(candidate.map((parts) => parts.join('')), taiwanNationalId), (id) => {
        expect(isTaiwanNationalId(id)).toBe(oracleValid(id));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a changed area letter exactly when the independent checksum does', () => {
    fc.assert(
      fc.property(taiwanNationalId, fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'), (id, letter) => {
        const mutated = `${letter}${id.slice(1)}`;
        expect(isTaiwanNationalId(mutated)).toBe(oracleValid(mutated));
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
