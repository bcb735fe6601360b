import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PiiKind } from './pii-kind.js';
import { scanPii } from './pii-text-scanner.js';
import { isPiiToken } from './pii-token.js';
import { PiiTokenizer } from './pii-tokenizer.js';
import {
  cardDigits,
  emailAddress,
  fillerText,
  surrounded,
  taiwanMobileDigits,
  taiwanMobileFormats,
  taiwanNationalId,
  writtenCard,
  writtenInternationalPhone,
  writtenTaiwanMobile,
} from './testing/pii-arbitraries.js';

const key = Buffer.alloc(32, 7);
const tokenizer = new PiiTokenizer({ key, tokenCacheSize: 1_000 });
const otherKey = new PiiTokenizer({ key: Buffer.alloc(32, 8) });
const uncached = new PiiTokenizer({ key });

const anyValue = fc.oneof(taiwanNationalId, writtenTaiwanMobile, writtenInternationalPhone, emailAddress, writtenCard());
/** Free text with zero or more values of every kind between CJK and ASCII filler. */
const textWithValues = fc
  .array(fc.tuple(fillerText, anyValue), { maxLength: 5 })
  .chain((parts) => fc.tuple(fc.constant(parts), fillerText))
  .map(([parts, tail]) => ({ values: parts.map(([, value]) => value), text: `${parts.map(([pre, value]) => `${pre} ${value} `).join('')}${tail}` }));

describe('PiiTokenizer construction', () => {
  it('refuses keys shorter than 32 bytes and bad cache sizes', () => {
    expect(() => new PiiTokenizer({ key: Buffer.alloc(31) })).toThrow(RangeError);
    expect(() => new PiiTokenizer({ key: 'a'.repeat(64) as unknown as Buffer })).toThrow(RangeError);
    expect(() => new PiiTokenizer({ key, tokenCacheSize: -1 })).toThrow(RangeError);
  });

  it('copies the key, so later changes to the caller’s buffer do not change tokens', () => {
    const mutable = Buffer.alloc(32, 7);
    const own = new PiiTokenizer({ key: mutable, tokenCacheSize: 0 });
    mutable.fill(9);
    expect(own.token('phone', '0912345678')).toBe(tokenizer.token('phone', '0912345678'));
  });

  it('does not show the key when inspected or serialised', () => {
    const secret = Buffer.from('kuroshio-test-secret-kuroshio-test-secret');
    const own = new PiiTokenizer({ key: secret });
    expect(JSON.stringify(own)).not.toContain('kuroshio');
    expect(String(Object.values(own))).not.toContain('kuroshio');
  });
});

describe('PiiTokenizer.token', () => {
  it('gives the same token for every format of one mobile, equal to what scrubText puts in text', () => {
    fc.assert(
      fc.property(taiwanMobileDigits, (mobile) => {
        const tokens = new Set(taiwanMobileFormats(mobile).map((written) => tokenizer.token('phone', written)));
        expect(tokens.size).toBe(1);
        expect(tokenizer.scrubText(`電話${mobile}`).text).toBe(`電話${[...tokens][0]}`);
      }),
    );
  });

  it('is deterministic per key and differs between keys', () => {
    fc.assert(
      fc.property(fc.constantFrom<PiiKind>('national_id', 'phone', 'email', 'card'), fc.string(), (kind, value) => {
        expect(tokenizer.token(kind, value)).toBe(uncached.token(kind, value));
        expect(tokenizer.token(kind, value)).not.toBe(otherKey.token(kind, value));
      }),
    );
  });

  it('normalises case and grouping: IDs, e-mail and cards', () => {
    expect(tokenizer.token('national_id', 'a123456789')).toBe(tokenizer.token('national_id', 'A123456789'));
    expect(tokenizer.token('email', 'John@Example.COM')).toBe(tokenizer.token('email', 'john@example.com'));
    fc.assert(fc.property(cardDigits, (digits) => tokenizer.token('card', digits) === tokenizer.scrubText(`卡${digits}`).text.slice(1)));
  });
});

describe('PiiTokenizer.scrubText', () => {
  it('finds percent-encoded values in URLs and replaces them as they were sent, with the token of the decoded value', () => {
    const url = 'https://bank.example/apply?email=john%40example.com&tel=%2B886912345678&alt=tel%3A0912345678&q=%E5%8F%B0%E5%8C%97';
    const { text, found } = tokenizer.scrubText(url);
    expect(found).toEqual({ national_id: 0, phone: 2, email: 1, card: 0 });
    expect(text).not.toMatch(/john|912345678/);
    expect(text).toBe(
      `https://bank.example/apply?email=${tokenizer.scrubText('john@example.com').text}&tel=${tokenizer.scrubText('+886912345678').text}&alt=tel%3A${tokenizer.scrubText('0912345678').text}&q=%E5%8F%B0%E5%8C%97`,
    );
  });

  it('counts what it replaced', () => {
    const { text, found } = tokenizer.scrubText('A123456789 0912345678 +886912345678 a@b.co 4111111111111111');
    expect(found).toEqual({ national_id: 1, phone: 2, email: 1, card: 1 });
    expect(text.split(' ').every(isPiiToken)).toBe(true);
  });

  it('returns the same string and zero counts for text with nothing to replace', () => {
    const text = '今天天氣很好 no digits here';
    expect(tokenizer.scrubText(text)).toEqual({ text, found: { national_id: 0, phone: 0, email: 0, card: 0 } });
  });

  it('never leaves an original value in the output', () => {
    fc.assert(
      fc.property(textWithValues, ({ text, values }) => {
        const scrubbed = tokenizer.scrubText(text).text;
        for (const value of values) expect(scrubbed).not.toContain(value);
      }),
      { numRuns: 500 },
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(textWithValues.map(({ text }) => text), fc.string({ unit: 'grapheme' })), (text) => {
        const once = tokenizer.scrubText(text).text;
        expect(tokenizer.scrubText(once)).toEqual({ text: once, found: { national_id: 0, phone: 0, email: 0, card: 0 } });
      }),
      { numRuns: 500 },
    );
  });

  it('emits tokens that are never themselves detected, alone or next to text', () => {
    fc.assert(
      fc.property(surrounded(anyValue), ([before, value, after]) => {
        const token = tokenizer.scrubText(value).text;
        expect(isPiiToken(token)).toBe(true);
        let detected = 0;
        scanPii(`${before}${token}${after}`, () => detected++);
        scanPii(`${token}${token}`, () => detected++);
        expect(detected).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same token with and without the cache, and the same found counts', () => {
    fc.assert(fc.property(textWithValues, ({ text }) => {
        expect(uncached.scrubText(text)).toEqual(tokenizer.scrubText(text));
      }));
  });
});

describe('PiiTokenizer.scrubJson: numbers and keys', () => {
  it('tokenises a card sent as a JSON number, and leaves amounts, ids and timestamps alone', () => {
    const { value, found } = uncached.scrubJson({ card: 4111111111111111, amount: 1299, orderId: 912345678, at: 1795773540000, big: 2 ** 64, ratio: 4111111111111.5 });
    expect(value).toEqual({ card: uncached.token('card', '4111111111111111'), amount: 1299, orderId: 912345678, at: 1795773540000, big: 2 ** 64, ratio: 4111111111111.5 });
    expect(found.card).toBe(1);
  });

  it('tokenises PII used as an object key, keeping the members in order', () => {
    const input = { a: 1, 'wang@example.com': { '0912345678': 'A123456789' }, z: 2 };
    const { value } = uncached.scrubJson(input);
    const email = uncached.token('email', 'wang@example.com');
    const phone = uncached.token('phone', '0912345678');
    expect(Object.keys(value)).toEqual(['a', email, 'z']);
    expect(value).toEqual({ a: 1, [email]: { [phone]: uncached.token('national_id', 'A123456789') }, z: 2 });
    expect(JSON.stringify(value)).not.toMatch(/wang|0912345678|A123456789/);
    expect(Object.keys(input)).toEqual(['a', 'wang@example.com', 'z']);
  });
});
