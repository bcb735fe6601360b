import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ReferenceRelative,
  type ReferenceWelch,
  expectRelative,
  expectWelch,
  loadFixture,
} from '../fixtures/reference.js';
import { compareMeans } from './mean-comparison.js';
import { type Moments, momentsFromSums, momentsFromValues } from './moments.js';
import { relativeLift } from './relative-lift.js';
import { StatsError } from './stats-error.js';
import { welchTTest } from './welch-t-test.js';

interface MeanCase {
  name: string;
  control: { n: number; sum: number; sumOfSquares: number; shift: number };
  treatment: { n: number; sum: number; sumOfSquares: number; shift: number };
  expected: { welch: ReferenceWelch; relative: ReferenceRelative };
}
const { cases } = loadFixture<MeanCase>('means');

describe("Welch's t-test and relative lift against scipy", () => {
  it.each(cases)('$name', ({ control, treatment, expected }) => {
    const c = momentsFromSums(control);
    const t = momentsFromSums(treatment);
    expectWelch((confidenceLevel) => welchTTest(c, t, { confidenceLevel }), expected.welch);
    expectRelative((confidenceLevel) => relativeLift(c, t, { confidenceLevel }), expected.relative);
    const comparison = compareMeans(c, t);
    expect(comparison.absolute).toEqual(welchTTest(c, t));
    expect(comparison.relative).toEqual(relativeLift(c, t));
  });
});

const moments = fc
  .record({
    n: fc.integer({ min: 2, max: 10_000_000 }),
    mean: fc.double({ min: -1e3, max: 1e3, noNaN: true }),
    variance: fc.double({ min: 1e-6, max: 1e4, noNaN: true }),
  })
  .map(({ n, mean, variance }): Moments => ({ n, mean, m2: variance * (n - 1) }));
const level = fc.double({ min: 0.5, max: 0.999, noNaN: true });

describe("Welch's t-test properties", () => {
  it('p in [0, 1]; the interval holds the estimate; swapping the variants negates the lift only', () => {
    fc.assert(
      fc.property(moments, moments, level, (c, t, confidenceLevel) => {
        const ab = welchTTest(c, t, { confidenceLevel });
        const ba = welchTTest(t, c, { confidenceLevel });
        expect(ab.pValue).toBeGreaterThanOrEqual(0);
        expect(ab.pValue).toBeLessThanOrEqual(1);
        expect(ab.confidenceInterval.lower).toBeLessThanOrEqual(ab.estimate);
        expect(ab.confidenceInterval.upper).toBeGreaterThanOrEqual(ab.estimate);
        expect(ba.pValue).toBe(ab.pValue);
        expect(ba.estimate + ab.estimate).toBe(0);
        expect(ba.degreesOfFreedom).toBe(ab.degreesOfFreedom);
        expect(ba.confidenceInterval.lower).toBeCloseTo(-ab.confidenceInterval.upper, 9);
      }),
    );
  });

  it('the interval excludes 0 exactly when p < 1 - level', () => {
    fc.assert(
      fc.property(moments, moments, level, (c, t, confidenceLevel) => {
        const r = welchTTest(c, t, { confidenceLevel });
        const excludesZero = r.confidenceInterval.lower > 0 || r.confidenceInterval.upper < 0;
        const significant = r.pValue < 1 - confidenceLevel;
        // Equality up to rounding at the boundary.
        if (Math.abs(r.pValue - (1 - confidenceLevel)) > 1e-9) expect(excludesZero).toBe(significant);
      }),
    );
  });

  it('Welch–Satterthwaite df lies between min(n) - 1 and nC + nT - 2', () => {
    fc.assert(
      fc.property(moments, moments, (c, t) => {
        const { degreesOfFreedom } = welchTTest(c, t);
        expect(degreesOfFreedom).toBeGreaterThanOrEqual(Math.min(c.n, t.n) - 1 - 1e-9);
        expect(degreesOfFreedom).toBeLessThanOrEqual(c.n + t.n - 2 + 1e-6);
      }),
    );
  });

  it('a wider confidence level gives a wider interval', () => {
    fc.assert(
      fc.property(moments, moments, (c, t) => {
        const width = (confidenceLevel: number) => {
          const { lower, upper } = welchTTest(c, t, { confidenceLevel }).confidenceInterval;
          return upper - lower;
        };
        expect(width(0.99)).toBeGreaterThanOrEqual(width(0.9));
      }),
    );
  });

  it('the relative interval holds the relative estimate', () => {
    fc.assert(
      fc.property(moments, moments, (c, t) => {
        fc.pre(Math.abs(c.mean) >= 1e-6);
        const r = relativeLift(c, t);
        expect(Number.isFinite(r.confidenceInterval.lower) && Number.isFinite(r.confidenceInterval.upper)).toBe(true);
        expect(r.confidenceInterval.lower).toBeLessThanOrEqual(r.estimate);
        expect(r.confidenceInterval.upper).toBeGreaterThanOrEqual(r.estimate);
        expect(r.estimate).toBeCloseTo(t.mean / c.mean - 1, 9);
      }),
    );
  });
});

describe('documented edge cases', () => {
  it('both variances 0, equal means: t = 0, p = 1, a point interval', () => {
    const r = welchTTest(momentsFromValues([2, 2, 2]), momentsFromValues([2, 2]));
    expect(r).toMatchObject({ estimate: 0, standardError: 0, statistic: 0, pValue: 1, degreesOfFreedom: 3 });
    expect(r.confidenceInterval).toEqual({ lower: 0, upper: 0 });
  });

  it('both variances 0, different means: t = ±Infinity, p = 0', () => {
    const r = welchTTest(momentsFromValues([2, 2, 2]), momentsFromValues([1, 1]));
    expect(r).toMatchObject({ estimate: -1, statistic: -Infinity, pValue: 0 });
    expect(r.confidenceInterval).toEqual({ lower: -1, upper: -1 });
  });

  it('one variance 0: df is n - 1 of the other variant', () => {
    const r = welchTTest(momentsFromValues([2, 2, 2]), momentsFromValues([1, 2, 4, 5]));
    expect(r.degreesOfFreedom).toBeCloseTo(3, 12);
    expect(Number.isFinite(r.pValue)).toBe(true);
  });

  it('fewer than 2 units: insufficient-data', () => {
    expect(() => welchTTest(momentsFromValues([1]), momentsFromValues([1, 2]))).toThrow(
      expect.objectContaining({ code: 'insufficient-data' }),
    );
  });

  it('control mean 0: relativeLift throws zero-baseline, compareMeans reports relative null', () => {
    const c = momentsFromValues([-1, 1, 0]);
    const t = momentsFromValues([1, 2, 3]);
    expect(() => relativeLift(c, t)).toThrow(StatsError);
    expect(() => relativeLift(c, t)).toThrow(expect.objectContaining({ code: 'zero-baseline' }));
    expect(compareMeans(c, t).relative).toBeNull();
  });

  it('control mean so close to 0 that the interval would overflow: zero-baseline, not Infinity', () => {
    const c: Moments = { n: 2, mean: 1e-310, m2: 1 };
    expect(() => relativeLift(c, momentsFromValues([1, 2]))).toThrow(expect.objectContaining({ code: 'zero-baseline' }));
  });

  it.each([0, 1, 1.5, Number.NaN])('refuses confidence level %s', (confidenceLevel) => {
    const c = momentsFromValues([1, 2, 3]);
    expect(() => welchTTest(c, c, { confidenceLevel })).toThrow(/confidenceLevel/);
  });
});
