import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineSignature, verifyLineSignature } from './line-signature.js';

const SECRET = 'line-channel-secret';
const body = Buffer.from('{"destination":"U1","events":[]}');

describe('LINE signature', () => {
  it('matches the documented computation: base64(HMAC-SHA256(secret, body))', () => {
    // Reference value computed independently: printf %s body | openssl dgst -sha256 -hmac secret -binary | base64
    expect(lineSignature('secret', Buffer.from('body'))).toBe('3EaYNVf+oSe0OvchRn65s/3iM4/j4U9RlSqoR4wT01U=');
  });

  it('verifies a good signature', () => {
    expect(verifyLineSignature(SECRET, body, lineSignature(SECRET, body))).toBe(true);
  });

  it('refuses a missing, malformed, truncated or foreign signature', () => {
    const good = lineSignature(SECRET, body);
    expect(verifyLineSignature(SECRET, body, undefined)).toBe(false);
    expect(verifyLineSignature(SECRET, body, '')).toBe(false);
    expect(verifyLineSignature(SECRET, body, good.slice(0, -2))).toBe(false);
    expect(verifyLineSignature(SECRET, body, `${good} `)).toBe(false);
    expect(verifyLineSignature(SECRET, body, Buffer.from(good, 'base64').toString('hex'))).toBe(false);
    expect(verifyLineSignature('other-secret', body, good)).toBe(false);
  });

  it('fails for any change to the body (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 512 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (bytes, at, flip) => {
          const original = Buffer.from(bytes);
          const signature = lineSignature(SECRET, original);
          const mutated = Buffer.from(original);
          const index = at % mutated.length;
          mutated[index] = (mutated[index] ?? 0) ^ flip;
          expect(verifyLineSignature(SECRET, mutated, signature)).toBe(false);
          expect(verifyLineSignature(SECRET, Buffer.concat([original, Buffer.from([flip])]), signature)).toBe(false);
          expect(verifyLineSignature(SECRET, original.subarray(0, original.length - 1), signature)).toBe(false);
          expect(verifyLineSignature(SECRET, original, signature)).toBe(true);
        },
      ),
    );
  });
});
