import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalEmailAddress, EMAIL_ADDRESS_PATTERN } from './email-address.js';
import { emailAddress } from './testing/pii-arbitraries.js';

const whole = new RegExp(`^${EMAIL_ADDRESS_PATTERN}$`);

describe('EMAIL_ADDRESS_PATTERN', () => {
  it.each(['a@b.co', 'john.doe+bank@example.com.tw', 'x_y%z-1@mail.sub.example.org', 'user@example.xn--kpry57d', 'USER@EXAMPLE.COM'])(
    'matches %s',
    (address) => {
      expect(whole.test(address)).toBe(true);
    },
  );

  it.each([
    ['a@b', 'no TLD'],
    ['user@xn--kpry57d', 'a bare TLD as the domain'],
    ['a@b.c', 'one-letter TLD'],
    ['a@-b.com', 'label starting with a dash'],
    ['王@例子.台灣', 'Unicode address (not recognised, see the decision record)'],
    ['"john doe"@example.com', 'quoted local part'],
  ])('does not match %s (%s)', (address) => {
    expect(whole.test(address)).toBe(false);
  });

  it('matches every generated address', () => {
    fc.assert(fc.property(emailAddress, (address) => whole.test(address)));
  });
});

describe('canonicalEmailAddress', () => {
  it('lower-cases the whole address and keeps plus tags', () => {
    expect(canonicalEmailAddress('John.Doe+Bank@Example.COM')).toBe('john.doe+bank@example.com');
  });
});
