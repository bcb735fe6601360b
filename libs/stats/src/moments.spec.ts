import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ReferenceSummary, expectClose, loadFixture } from '../fixtures/reference.js';
import {
  type Moments,
  mergeMoments,
  momentsFromMeanVariance,
  momentsFromSums,
  momentsFromValues,
  summarize,
} from './moments.js';
import { StatsError } from './stats-error.js';

interface Sums {
  n: number;
  sum: number;
  sumOfSquares: number;
  shift: number;
}
interface MeanCase {
  name: string;
  control: Sums;
  treatment: Sums;
  values?: { control: number[]; treatment: number[] };
  expected: { control: ReferenceSummary; treatment: ReferenceSummary };
}
const { cases } = loadFixture<MeanCase>('means');

function expectSummary(moments: Moments, reference: ReferenceSummary, what: string) {
  const s = summarize(moments);
  expect(s.n).toBe(reference.n);
  expectClose(s.mean, reference.mean, `${what} mean`, Math.sqrt(reference.variance / reference.n));
  expectClose(s.variance, reference.variance, `${what} variance`);
  expectClose(s.standardError, Math.sqrt(reference.variance / reference.n), `${what} standard error`);
}

describe('variant summaries against numpy', () => {
  it.each(cases)('$name: from sums', ({ control, treatment, expected }) => {
    expectSummary(momentsFromSums(control), expected.control, 'control');
    expectSummary(momentsFromSums(treatment), expected.treatment, 'treatment');
  });

  it.each(cases.filter((c) => c.values))('$name: from values', ({ values, expected }) => {
    expectSummary(momentsFromValues(values!.control), expected.control, 'control');
    expectSummary(momentsFromValues(values!.treatment), expected.treatment, 'treatment');
  });
});

describe('numerical care', () => {
  it('keeps the variance of values with a large common offset', () => {
    // Naive Σx² - (Σx)²/n loses every digit here: the offset squared is 1e24 times the variance.
    const values = Array.from({ length: 10_001 }, (_, i) => 1e12 + (i % 2 === 0 ? 1 : -1));
    const s = summarize(momentsFromValues(values));
    expect(s.mean).toBeCloseTo(1e12 + 1 / 10_001, 3);
    expect(Math.abs(s.variance - (10_001 - 1 / 10_001) / 10_000)).toBeLessThan(1e-12);
  });

  it('shifted sums give the same moments as unshifted ones', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 2, maxLength: 200 }),
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        (values, shift) => {
          const sums = (s: number) => ({
            n: values.length,
            sum: values.reduce((a, v) => a + (v - s), 0),
            sumOfSquares: values.reduce((a, v) => a + (v - s) ** 2, 0),
            shift: s,
          });
          const exact = summarize(momentsFromValues(values));
          for (const s of [0, shift]) {
            // Σ(x-s)² - (Σ(x-s))²/n cancels: its error scales with Σ(x-s)², not with the variance.
            const raw = sums(s);
            const allowed = 1e-12 * (exact.variance + raw.sumOfSquares / (values.length - 1)) + Number.MIN_VALUE;
            expect(Math.abs(summarize(momentsFromSums(raw)).variance - exact.variance)).toBeLessThanOrEqual(allowed);
          }
          const b = summarize(momentsFromSums(sums(shift)));
          expect(b.mean).toBeCloseTo(exact.mean, 6);
        },
      ),
    );
  });

  it('merging the moments of any split equals the moments of the whole', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 300 }),
        fc.nat(),
        (values, cut) => {
          const at = cut % (values.length + 1);
          const merged = mergeMoments(momentsFromValues(values.slice(0, at)), momentsFromValues(values.slice(at)));
          const whole = momentsFromValues(values);
          expect(merged.n).toBe(whole.n);
          const spread = Math.sqrt(whole.m2 / whole.n) + 1e-9 * Math.max(...values.map(Math.abs));
          expect(Math.abs(merged.mean - whole.mean)).toBeLessThanOrEqual(1e-9 * spread + 1e-9);
          expect(Math.abs(merged.m2 - whole.m2)).toBeLessThanOrEqual(1e-9 * (whole.m2 + spread * spread * whole.n) + 1e-300);
        },
      ),
    );
  });

  it('round-trips a mean and a sample variance', () => {
    const m = momentsFromMeanVariance(10, 4.5, 2.25);
    expect(summarize(m)).toMatchObject({ n: 10, mean: 4.5, variance: 2.25, standardDeviation: 1.5 });
  });
});

describe('edge cases', () => {
  it('refuses a variance from fewer than 2 units', () => {
    expect(() => summarize(momentsFromValues([3]))).toThrow(StatsError);
    expect(() => summarize(momentsFromValues([]))).toThrow(/at least 2 units/);
    try {
      summarize(momentsFromSums({ n: 1, sum: 3, sumOfSquares: 9 }));
    } catch (error) {
      expect((error as StatsError).code).toBe('insufficient-data');
    }
    expect.assertions(3);
  });

  it('gives variance 0, not NaN or a negative number, for identical values', () => {
    const s = summarize(momentsFromSums({ n: 3, sum: 0.3, sumOfSquares: 0.03 }));
    expect(s.variance).toBeGreaterThanOrEqual(0);
    expect(s.variance).toBeLessThan(1e-15);
    expect(summarize(momentsFromValues([0.1, 0.1, 0.1])).variance).toBe(0);
  });

  it.each([
    [{ n: -1, sum: 0, sumOfSquares: 0 }, /non-negative integer/],
    [{ n: 2.5, sum: 0, sumOfSquares: 0 }, /non-negative integer/],
    [{ n: 2, sum: Number.NaN, sumOfSquares: 0 }, /finite/],
    [{ n: 2, sum: 1, sumOfSquares: -1 }, />= 0/],
    [{ n: 0, sum: 1, sumOfSquares: 1 }, /n = 0/],
  ])('refuses invalid sums %j', (sums, message) => {
    expect(() => momentsFromSums(sums)).toThrow(message);
  });

  it('refuses non-finite values', () => {
    expect(() => momentsFromValues([1, Infinity])).toThrow(/values\[1\]/);
  });
});
