import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssignmentError } from './assignment-error.js';
import { DEFAULT_BUCKETS, bucketIndexOf, bucketOf } from './bucket.js';

interface GoldenBucket {
  experimentKey: string;
  salt: string;
  unitId: string;
  bucket: number;
  bucketIndex: number;
}
const golden: { buckets: GoldenBucket[] } = JSON.parse(
  readFileSync(new URL('../fixtures/golden.json', import.meta.url), 'utf8'),
);

describe('bucketOf golden values (Python hashlib)', () => {
  it.each(golden.buckets.map((g) => [g.experimentKey, g.salt, g.unitId.slice(0, 40), g] as const))(
    '%s / %j / %j',
    (_key, _salt, _unit, g) => {
      expect(bucketOf(g.experimentKey, g.salt, g.unitId)).toBe(g.bucket);
      expect(bucketIndexOf(g.experimentKey, g.salt, g.unitId)).toBe(g.bucketIndex);
    },
  );
});

const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
const keyPart = text.filter((s) => !s.includes('\u0000'));

describe('bucketOf properties', () => {
  it('is deterministic and in [0, 1); bucketIndexOf is its floor scaled to the bucket count', () => {
    fc.assert(
      fc.property(keyPart, keyPart, text, fc.integer({ min: 1, max: 1_000_000 }), (key, salt, unit, buckets) => {
        const u = bucketOf(key, salt, unit);
        expect(u).toBeGreaterThanOrEqual(0);
        expect(u).toBeLessThan(1);
        expect(bucketOf(key, salt, unit)).toBe(u);
        const index = bucketIndexOf(key, salt, unit, buckets);
        expect(Number.isInteger(index) && index >= 0 && index < buckets).toBe(true);
        expect(index).toBe(Math.floor(u * buckets));
      }),
    );
  });

  it('the separator keeps (key, salt, unit) unambiguous: moving a boundary changes the bucket', () => {
    fc.assert(
      fc.property(keyPart, keyPart, text, (key, salt, unit) => {
        const codePoints = [...salt];
        fc.pre(codePoints.length > 1);
        const moved = bucketOf(key + codePoints[0], codePoints.slice(1).join(''), unit);
        expect(moved).not.toBe(bucketOf(key, salt, unit));
      }),
    );
  });

  it('uses 53 bits: 100,000 units give 100,000 distinct values', () => {
    const values = new Set(Array.from({ length: 100_000 }, (_, i) => bucketOf('exp', 'salt', `unit-${i}`)));
    expect(values.size).toBe(100_000);
  });

  it('defaults to 10,000 buckets', () => {
    expect(DEFAULT_BUCKETS).toBe(10_000);
  });
});

describe('bucketOf refuses input other languages could hash differently', () => {
  it.each([
    ['', 's', 'u', 'invalid-experiment', /experiment key/],
    ['a\u0000b', 's', 'u', 'invalid-experiment', /NUL/],
    ['k', 's\u0000', 'u', 'invalid-experiment', /NUL/],
    ['k\uD800', 's', 'u', 'invalid-experiment', /well-formed/],
    ['k', 's', '', 'invalid-unit', /non-empty/],
    ['k', 's', 'abc\uDC00', 'invalid-unit', /well-formed/],
  ])('%j / %j / %j', (key, salt, unit, code, message) => {
    expect(() => bucketOf(key, salt, unit)).toThrow(message);
    expect(() => bucketOf(key, salt, unit)).toThrow(expect.objectContaining({ code }));
  });

  it('accepts NUL inside a unit id: it comes last, so it cannot shift a boundary', () => {
    expect(() => bucketOf('k', 's', 'a\u0000b')).not.toThrow();
  });

  it('refuses a bucket count that is not a positive integer', () => {
    expect(() => bucketIndexOf('k', 's', 'u', 0)).toThrow(AssignmentError);
    expect(() => bucketIndexOf('k', 's', 'u', 2.5)).toThrow(/positive integer/);
  });
});
