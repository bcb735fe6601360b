import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashWriteKey, newWriteKey, sameDigest, writeKeyFromAuthorization } from './write-key.js';

const basic = (userPass: string) => `Basic ${Buffer.from(userPass).toString('base64')}`;

describe('writeKeyFromAuthorization', () => {
  it('reads the key from "Basic base64(writeKey:)" as Segment SDKs send it', () => {
    expect(writeKeyFromAuthorization(basic('wk_123:'))).toEqual({ kind: 'key', writeKey: 'wk_123' });
    expect(writeKeyFromAuthorization(`basic   ${Buffer.from('wk:').toString('base64')}`)).toEqual({ kind: 'key', writeKey: 'wk' });
  });

  it('takes the user part when a password is present too, and the whole value without a colon', () => {
    expect(writeKeyFromAuthorization(basic('wk:ignored'))).toEqual({ kind: 'key', writeKey: 'wk' });
    expect(writeKeyFromAuthorization(basic('wk'))).toEqual({ kind: 'key', writeKey: 'wk' });
  });

  it('tells a missing header from a malformed one', () => {
    expect(writeKeyFromAuthorization(undefined)).toEqual({ kind: 'none' });
    expect(writeKeyFromAuthorization('')).toEqual({ kind: 'none' });
    expect(writeKeyFromAuthorization('Bearer abc')).toEqual({ kind: 'malformed' });
    expect(writeKeyFromAuthorization(basic(':password'))).toEqual({ kind: 'malformed' });
    expect(writeKeyFromAuthorization('Basic !!!')).toEqual({ kind: 'malformed' });
  });
});

describe('write key hashing', () => {
  it('is SHA-256 hex (what `hash-write-key` prints and the config holds)', () => {
    expect(hashWriteKey('demo-write-key')).toBe('8c365d0d5950e8e1ed371597bbf63992cf7613da0d65e84fbeded634b3e40c71');
  });

  it('makes fresh keys long and unique', () => {
    const a = newWriteKey();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newWriteKey()).not.toBe(a);
  });

  it('compares digests only when both are equally long, and exactly', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const da = Buffer.from(hashWriteKey(a), 'hex');
        const db = Buffer.from(hashWriteKey(b), 'hex');
        expect(sameDigest(da, db)).toBe(a === b);
      }),
    );
    expect(sameDigest(Buffer.alloc(32), Buffer.alloc(31))).toBe(false);
  });
});
