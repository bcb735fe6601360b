import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalPaymentCard, fitsIssuerLength, isLuhnValid, luhnCheckDigit } from './payment-card.js';
import { cardDigits, writtenCard } from './testing/pii-arbitraries.js';

describe('isLuhnValid', () => {
  it.each(['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117', '3530111333300000', '79927398713'])(
    'accepts %s',
    (digits) => {
      expect(isLuhnValid(digits)).toBe(true);
    },
  );

  it.each(['4111111111111112', '79927398710', '1234567812345678'])('refuses %s', (digits) => {
    expect(isLuhnValid(digits)).toBe(false);
  });

  // Written out here rather than taken from the module: the check digit read off a doubling table
  // (ISO/IEC 7812-1 annex B), so that a wrong isLuhnValid cannot agree with itself.
  const DOUBLED = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9];
  function oracleCheckDigit(payload: string): number {
    let sum = 0;
    for (let i = 0; i < payload.length; i++) {
      const digit = Number(payload[payload.length - 1 - i]);
      sum += i % 2 === 0 ? (DOUBLED[digit] as number) : digit;
    }
    return (10 - (sum % 10)) % 10;
  }

  it.each([
    ['7992739871', 3],
    ['411111111111111', 1],
    ['555555555555444', 4],
    ['37828224631000', 5],
    ['601111111111111', 7],
    ['0', 0],
  ])('luhnCheckDigit(%s) is the published %i', (payload, digit) => {
    expect(luhnCheckDigit(payload)).toBe(digit);
    expect(oracleCheckDigit(payload)).toBe(digit);
  });

  it('luhnCheckDigit and isLuhnValid agree with an independent check digit on any payload', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 18 }), fc.integer({ min: 0, max: 9 }), (payload, digit) => {
        expect(luhnCheckDigit(payload)).toBe(oracleCheckDigit(payload));
        expect(isLuhnValid(`${payload}${digit}`)).toBe(digit === oracleCheckDigit(payload));
      }),
    );
  });
});

describe('canonicalPaymentCard', () => {
  it.each([
    ['4111 1111 1111 1111', '4111111111111111', 'Visa in fours'],
    ['4111-1111-1111-1111', '4111111111111111', 'dashes'],
    ['3782 822463 10005', '378282246310005', 'Amex 4-6-5'],
    ['3530111333300000', '3530111333300000', 'JCB'],
    ['6200000000000005', '6200000000000005', 'UnionPay'],
    ['2223003122003222', '2223003122003222', 'Mastercard 2-series'],
    ['4222222222222', '4222222222222', 'Visa 13 digits'],
  ])('reads %s as %s (%s)', (written, digits) => {
    expect(canonicalPaymentCard(written)).toBe(digits);
  });

  it.each([
    ['4111111111111112', 'Luhn fails'],
    ['4111 1111-1111 1111', 'mixed separators'],
    ['2026112700123', '13-digit number with a 2 (2-series cards have 16)'],
    ['3400000000000000', 'Amex prefix with 16 digits'],
    ['5105105105105100000', 'Mastercard 51–55 with 19 digits'],
    ['2000000000000008', '2-series outside 2221–2720 and 2200–2204'],
  ])('refuses %s (%s)', (written) => {
    expect(canonicalPaymentCard(written)).toBeUndefined();
  });

  it('reads every generated card in every grouping back to its digits', () => {
    fc.assert(
      fc.property(cardDigits, (digits) => fitsIssuerLength(digits)),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(writtenCard(), (written) => canonicalPaymentCard(written) === written.replace(/[ -]/g, '')),
    );
  });

  it('refuses a generated card whose last digit is changed', () => {
    fc.assert(
      fc.property(cardDigits, fc.integer({ min: 1, max: 9 }), (digits, delta) => {
        const last = (Number(digits.at(-1)) + delta) % 10;
        return canonicalPaymentCard(`${digits.slice(0, -1)}${last}`) === undefined;
      }),
    );
  });
});
