import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPiiToken } from './pii-token.js';
import { PiiTokenizer } from './pii-tokenizer.js';
import { emailAddress, taiwanNationalId, writtenCard, writtenTaiwanMobile } from './testing/pii-arbitraries.js';

const tokenizer = new PiiTokenizer({ key: Buffer.alloc(32, 7) });
const phoneToken = tokenizer.token('phone', '0912345678');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const leaf = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.oneof(taiwanNationalId, writtenTaiwanMobile, emailAddress, writtenCard()).map((v) => `值 ${v} 。`),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const { json } = fc.letrec<{ json: Json }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    leaf,
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'phone')), tie('json'), { maxKeys: 4 }),
  ),
}));

describe('PiiTokenizer.scrubJson', () => {
  it('scrubs strings and keys at any depth, keeps non-strings and shape', () => {
    const input = {
      type: 'identify',
      traits: { phone: '0912-345-678', age: 42, vip: true, note: null, tags: ['a', '聯絡 0912345678'] },
      properties: { nested: [{ deep: { text: '身分證A123456789' } }], amount: 1234567890.0 },
      'a@b.co': 'a key is scrubbed too',
    };
    const { value, found, explicit } = tokenizer.scrubJson(input);
    expect(value).toEqual({
      type: 'identify',
      traits: { phone: phoneToken, age: 42, vip: true, note: null, tags: ['a', `聯絡 ${phoneToken}`] },
      properties: { nested: [{ deep: { text: `身分證${tokenizer.token('national_id', 'A123456789')}` } }], amount: 1234567890 },
      [tokenizer.token('email', 'a@b.co')]: 'a key is scrubbed too',
    });
    expect(found).toEqual({ national_id: 1, phone: 2, email: 1, card: 0 });
    expect(explicit).toBe(0);
  });

  it('tokenises marked fields whole, with the kind’s token when the whole value is one', () => {
    const input = {
      traits: { phone: '+886 912 345 678', name: '王小明', cardNumber: 4111111111111111, empty: '', missing: null },
      properties: { items: [{ email: 'A@B.CO' }, { email: 'not an address' }], address: { city: '台北市', zip: 100 } },
    };
    const paths = ['traits.phone', 'traits.name', 'traits.cardNumber', 'traits.empty', 'traits.missing', 'properties.items.*.email', 'properties.address'];
    const { value, found, explicit } = tokenizer.scrubJson(input, paths);
    expect(value.traits.phone).toBe(phoneToken);
    expect(value.traits.name).toMatch(/^tok_field_[a-z2-7]{26}$/);
    expect(value.traits.cardNumber).toBe(tokenizer.token('card', '4111111111111111'));
    expect(value.traits.empty).toBe('');
    expect(value.traits.missing).toBeNull();
    expect(value.properties.items[0]!.email).toBe(tokenizer.token('email', 'a@b.co'));
    expect(value.properties.items[1]!.email).toMatch(/^tok_field_/);
    expect(isPiiToken(String(value.properties.address.city))).toBe(true);
    expect(isPiiToken(String(value.properties.address.zip))).toBe(true);
    expect(found).toEqual({ national_id: 0, phone: 1, email: 1, card: 1 });
    expect(explicit).toBe(7);
  });

  it('keeps own "__proto__" keys as data and never touches a prototype', () => {
    const input = JSON.parse('{"__proto__": {"polluted": "0912345678"}, "a": {"__proto__": "x"}}') as Record<string, unknown>;
    const { value } = tokenizer.scrubJson(input, ['__proto__.polluted']);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'a']);
    expect((Object.getOwnPropertyDescriptor(value, '__proto__')!.value as Record<string, unknown>)['polluted']).toBe(phoneToken);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { phone: '0912345678' });
    const scrubbedBare = tokenizer.scrubJson(bare).value;
    expect(Object.getPrototypeOf(scrubbedBare)).toBeNull();
    expect(scrubbedBare['phone']).toBe(phoneToken);
  });

  it('shares unchanged subtrees and copies the containers on the way to a change', () => {
    const input = { a: { b: [{ note: 'nothing here' }], c: { phone: '0912-345-678' } }, d: ['x'] };
    const { value } = tokenizer.scrubJson(input);
    expect(value).not.toBe(input);
    expect(value.a).not.toBe(input.a);
    expect(value.a.c).not.toBe(input.a.c);
    expect(value.a.b).toBe(input.a.b);
    expect(value.d).toBe(input.d);
    expect(Object.keys(value.a)).toEqual(['b', 'c']);
    expect(input.a.c.phone).toBe('0912-345-678');
  });

  it('returns non-JSON objects untouched and by reference', () => {
    const when = new Date(0);
    expect(tokenizer.scrubJson({ when }).value.when).toBe(when);
  });

  it('does not mutate its input, copies only what changed and is idempotent', () => {
    fc.assert(
      fc.property(json, fc.constantFrom(undefined, ['*'], ['phone', '*.phone', '*.*.phone']), (input, paths) => {
        const before = structuredClone(input);
        const once = tokenizer.scrubJson(input, paths);
        expect(input).toEqual(before);
        expectSharedWhereUnchanged(input, once.value);
        const twice = tokenizer.scrubJson(once.value, paths);
        expect(twice.value).toEqual(once.value);
        expect(twice.explicit).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves no original value anywhere in the serialised output', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(taiwanNationalId, writtenTaiwanMobile, emailAddress, writtenCard()), { minLength: 1, maxLength: 5 }), (values) => {
        const event = { properties: { list: values.map((v) => ({ memo: `備註 ${v}` })) }, traits: { first: values[0] } };
        const serialised = JSON.stringify(tokenizer.scrubJson(event).value);
        for (const v of values) expect(serialised).not.toContain(JSON.stringify(v).slice(1, -1));
      }),
    );
  });
});

/** A container of the result is the input's own exactly when nothing under it changed. */
function expectSharedWhereUnchanged(input: unknown, output: unknown): void {
  if (input === null || typeof input !== 'object') return;
  if (isDeepStrictEqual(input, output)) {
    expect(output).toBe(input);
    return;
  }
  expect(output).not.toBe(input);
  const entries = Object.entries(input);
  for (const [key, value] of entries) expectSharedWhereUnchanged(value, (output as Record<string, unknown>)[key]);
}
