import { createSecretKey } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPiiToken, piiToken } from './pii-token.js';

const key = createSecretKey(Buffer.alloc(32, 7));

describe('piiToken', () => {
  // Expected values from Python: base64.b32encode(hmac.new(bytes([7])*32, msg, sha256).digest()).lower()[:26]
  it.each([
    ['phone', '+886912345678', 'tok_phone_de3hcyuyqcxr2hxjga3obbten4'],
    ['national_id', 'A123456789', 'tok_national_id_hds24fd3txks24bi7z26il4k3w'],
    ['field', '王小明', 'tok_field_qru4ltrmzofruar7f3mrqh4rgj'],
  ])('is the truncated base32 HMAC-SHA256 of %s:%s', (kind, canonical, token) => {
    expect(piiToken(key, kind, canonical)).toBe(token);
  });

  it('depends on the kind, the value and the key', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        fc.pre(a !== b);
        expect(piiToken(key, 'phone', a)).not.toBe(piiToken(key, 'phone', b));
        expect(piiToken(key, 'phone', a)).not.toBe(piiToken(key, 'card', a).replace('card', 'phone'));
        expect(piiToken(key, 'phone', a)).not.toBe(piiToken(createSecretKey(Buffer.alloc(32, 8)), 'phone', a));
      }),
    );
  });

  it('always has the token shape', () => {
    fc.assert(fc.property(fc.constantFrom('national_id', 'phone', 'email', 'card', 'field'), fc.string(), (kind, value) => isPiiToken(piiToken(key, kind, value))));
  });
});

describe('isPiiToken', () => {
  it.each(['tok_phone_DE3HCYUYQCXR2HXJGA3OBBTEN4', 'tok_phone_de3hcyuyqcxr2hxjga3obbten', 'tok_name_de3hcyuyqcxr2hxjga3obbten4', 'x tok_phone_de3hcyuyqcxr2hxjga3obbten4'])(
    'refuses %s',
    (text) => {
      expect(isPiiToken(text)).toBe(false);
    },
  );
});
