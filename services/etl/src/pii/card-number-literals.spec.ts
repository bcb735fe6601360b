import { describe, expect, it } from 'vitest';
import { parseJsonKeepingCardDigits } from './card-number-literals.js';

// 19 digits, Luhn-valid, UnionPay (62…) and Visa (4…): a double keeps only ~16 of their digits.
const UNIONPAY = '6212345678901234569';
const VISA_19 = '4123456789012345677';

describe('parseJsonKeepingCardDigits', () => {
  it('keeps a card written as an integer literal too long for a double as the string of its digits', () => {
    expect(JSON.parse(`{"card":${UNIONPAY}}`)).not.toEqual({ card: UNIONPAY });
    expect(parseJsonKeepingCardDigits(`{"card":${UNIONPAY},"nested":[{"pan":${VISA_19}}]}`)).toEqual({ card: UNIONPAY, nested: [{ pan: VISA_19 }] });
  });

  it('parses every other number as JSON.parse does, long ones included', () => {
    const text = `{"id":12345678901234567890,"notLuhn":6212345678901234560,"amount":1299.5,"card16":4111111111111111,"big":1e300,"neg":-${UNIONPAY}}`;
    expect(parseJsonKeepingCardDigits(text)).toEqual(JSON.parse(text));
  });

  it('gives what JSON.parse gives for text without a 17-digit run, and throws as it throws', () => {
    const text = '{"a":[1,2,{"b":"0912345678"}],"c":null}';
    expect(parseJsonKeepingCardDigits(text)).toEqual(JSON.parse(text));
    expect(() => parseJsonKeepingCardDigits(`{"card":${UNIONPAY}`)).toThrow(SyntaxError);
  });
});
