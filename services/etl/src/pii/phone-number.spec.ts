import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalPhoneNumber } from './phone-number.js';
import { taiwanMobileDigits, taiwanMobileFormats } from './testing/pii-arbitraries.js';

describe('canonicalPhoneNumber', () => {
  it.each([
    ['0912345678', '+886912345678'],
    ['0912-345-678', '+886912345678'],
    ['(0912) 345 678', '+886912345678'],
    ['+886 912 345 678', '+886912345678'],
    ['+886912345678', '+886912345678'],
    ['+886 (0)912-345-678', '+886912345678'],
    ['+886 0912 345 678', '+886912345678'],
    ['+1 415 555 2671', '+14155552671'],
    ['+44 (0)20 7946 0958', '+442079460958'],
    ['+81-3-1234-5678', '+81312345678'],
    ['886912345678', '+886912345678'],
    ['886-912-345-678', '+886912345678'],
  ])('reads %s as %s', (written, e164) => {
    expect(canonicalPhoneNumber(written)).toBe(e164);
  });

  it.each([
    ['0812345678', 'national form that is not a mobile'],
    ['091234567', 'nine digits'],
    ['+1234567', 'seven digits after +'],
    ['+0912345678', 'E.164 cannot start with 0'],
    ['+886 912 345 678 12', 'Taiwanese mobile with extra digits'],
    ['+1234567890123456', 'sixteen digits'],
    ['886212345678', '886 without + and not a mobile (a landline or an account number)'],
    ['8869123456789', '886 + 9 with nine digits'],
  ])('refuses %s (%s)', (written) => {
    expect(canonicalPhoneNumber(written)).toBeUndefined();
  });

  it('gives one E.164 form for every format of the same Taiwanese mobile', () => {
    fc.assert(
      fc.property(taiwanMobileDigits, (mobile) => {
        const forms = new Set(taiwanMobileFormats(mobile).map((written) => canonicalPhoneNumber(written)));
        expect([...forms]).toEqual([`+886${mobile.slice(1)}`]);
      }),
    );
  });
});
