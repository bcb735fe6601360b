import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectClose, loadFixture } from '../fixtures/reference.js';
import { DEFAULT_SRM_THRESHOLD, sampleRatioMismatch } from './sample-ratio-mismatch.js';

interface SrmCase {
  name: string;
  counts: number[];
  weights: number[];
  expected: { statistic: number; degreesOfFreedom: number; pValue: number; expectedCounts: number[] };
}
const { cases } = loadFixture<SrmCase>('sample-ratio-mismatch');

describe('sample-ratio mismatch against scipy.stats.chisquare', () => {
  it.each(cases)('$name', ({ counts, weights, expected }) => {
    const r = sampleRatioMismatch(counts, weights);
    expectClose(r.statistic, expected.statistic, 'chi-square', 1e-9);
    expect(r.degreesOfFreedom).toBe(expected.degreesOfFreedom);
    expectClose(r.pValue, expected.pValue, 'p-value', 1e-300);
    r.expectedCounts.forEach((e, i) => expectClose(e, expected.expectedCounts[i]!, `expected count ${i}`));
    expect(r.mismatch).toBe(expected.pValue < DEFAULT_SRM_THRESHOLD);
  });

  it('flags the fixtures that are broken and passes the ones that are not', () => {
    const flagged = cases.filter((c) => sampleRatioMismatch(c.counts, c.weights).mismatch).map((c) => c.name);
    expect(flagged).toEqual(['mismatch near the threshold', 'severe mismatch', 'far tail']);
  });
});

describe('sample-ratio mismatch properties', () => {
  const split = fc.array(fc.tuple(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 100 })), {
    minLength: 2,
    maxLength: 8,
  });

  it('p in [0, 1], independent of the scale of the weights and of the order of the variants', () => {
    fc.assert(
      fc.property(split, fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (variants, scale) => {
        fc.pre(variants.some(([count]) => count > 0));
        const counts = variants.map(([c]) => c);
        const weights = variants.map(([, w]) => w);
        const r = sampleRatioMismatch(counts, weights);
        expect(r.pValue).toBeGreaterThanOrEqual(0);
        expect(r.pValue).toBeLessThanOrEqual(1);
        const scaled = sampleRatioMismatch(counts, weights.map((w) => w * scale));
        expect(scaled.pValue).toBeCloseTo(r.pValue, 9);
        const reversed = sampleRatioMismatch([...counts].reverse(), [...weights].reverse());
        expect(reversed.pValue).toBeCloseTo(r.pValue, 9);
      }),
    );
  });

  it('a split exactly as planned has statistic 0 and p = 1', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 2, maxLength: 6 }), fc.integer({ min: 1, max: 1000 }), (weights, k) => {
        const r = sampleRatioMismatch(weights.map((w) => w * k), weights);
        expect(r.statistic).toBeCloseTo(0, 9);
        expect(r.pValue).toBeCloseTo(1, 9);
        expect(r.mismatch).toBe(false);
      }),
    );
  });
});

describe('documented edge cases', () => {
  it('units in a variant planned at weight 0: Infinity, p = 0, mismatch', () => {
    expect(sampleRatioMismatch([100, 100, 1], [1, 1, 0])).toMatchObject({
      statistic: Infinity,
      pValue: 0,
      mismatch: true,
      degreesOfFreedom: 1,
    });
  });

  it('a weight-0 variant with no units is left out of the degrees of freedom', () => {
    const r = sampleRatioMismatch([100, 100, 0], [1, 1, 0]);
    expect(r).toMatchObject({ statistic: 0, pValue: 1, degreesOfFreedom: 1, mismatch: false });
  });

  it('one planned variant: nothing to test', () => {
    expect(sampleRatioMismatch([10, 0], [1, 0])).toMatchObject({ degreesOfFreedom: 0, pValue: 1, mismatch: false });
  });

  it('a custom threshold', () => {
    expect(sampleRatioMismatch([520, 480], [1, 1], { threshold: 0.25 }).mismatch).toBe(true);
    expect(sampleRatioMismatch([520, 480], [1, 1]).mismatch).toBe(false);
  });

  it.each([
    [[1], [1], /at least 2/],
    [[1, 2], [1], /planned weights/],
    [[1, -2], [1, 1], /integer/],
    [[1, 2], [1, -1], /negative/],
    [[1, 2], [0, 0], /sum to more than 0/],
    [[0, 0], [1, 1], /no units/],
  ])('refuses counts %j with weights %j', (counts, weights, message) => {
    expect(() => sampleRatioMismatch(counts, weights)).toThrow(message);
  });
});
