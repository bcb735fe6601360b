import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { histogram, populationStabilityIndex, quantileCutPoints } from './population-stability.js';
import { StatsError } from './stats-error.js';

// Expected values worked out by hand from PSI = Σ (q − p) · ln(q / p), p the expected share, q the actual.

describe('population stability index against hand-computed values', () => {
  it('two bins, 50/50 → 40/60: 0.1·ln(1.25) + 0.1·ln(1.2) = 0.1·ln(1.5)', () => {
    const psi = populationStabilityIndex([50, 50], [40, 60]);
    expect(psi.value).toBeCloseTo(0.1 * Math.log(1.5), 15);
    expect(psi.value).toBeCloseTo(0.0405465108108164, 15);
    expect(psi.contributions[0]).toBeCloseTo(0.1 * Math.log(1.25), 15);
    expect(psi.contributions[1]).toBeCloseTo(0.1 * Math.log(1.2), 15);
  });

  it('deciles, two doubled and four halved: 2·0.1·ln 2 + 4·0.05·ln 2 = 0.4·ln 2', () => {
    const psi = populationStabilityIndex(new Array(10).fill(10), [20, 20, 10, 10, 10, 10, 5, 5, 5, 5]);
    expect(psi.value).toBeCloseTo(0.4 * Math.LN2, 15);
    expect(psi.value).toBeCloseTo(0.277258872223978, 14);
  });

  it('three bins 30/50/20 → 10/50/40: 0.2·ln 3 + 0 + 0.2·ln 2 = 0.2·ln 6', () => {
    const psi = populationStabilityIndex([30, 50, 20], [10, 50, 40]);
    expect(psi.value).toBeCloseTo(0.2 * Math.log(6), 15);
    expect(psi.contributions[1]).toBe(0);
  });

  it('an empty reference bin counts as share 1e-4: 0.1·ln(10/9) + 0.0999·ln(1000)', () => {
    const psi = populationStabilityIndex([100, 0], [90, 10]);
    expect(psi.value).toBeCloseTo(0.1 * Math.log(10 / 9) + 0.0999 * Math.log(1000), 14);
    expect(psi.value).toBeCloseTo(0.700620803936098, 14);
    expect(populationStabilityIndex([100, 0], [90, 10], { emptyBinShare: 0.01 }).value).toBeCloseTo(0.1 * Math.log(10 / 9) + 0.09 * Math.log(10), 14);
  });

  it('is 0 for the same shares at any sample size', () => {
    expect(populationStabilityIndex([25, 25, 25, 25], [1, 1, 1, 1]).value).toBe(0);
    expect(populationStabilityIndex([3, 0, 7], [300, 0, 700]).value).toBeCloseTo(0, 15);
  });

  it('refuses what it cannot compute, with codes', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return (error as StatsError).code;
      }
      return 'no error';
    };
    expect(code(() => populationStabilityIndex([1, 2], [1, 2, 3]))).toBe('invalid-input');
    expect(code(() => populationStabilityIndex([1], [1]))).toBe('invalid-input');
    expect(code(() => populationStabilityIndex([1, -1], [1, 1]))).toBe('invalid-input');
    expect(code(() => populationStabilityIndex([1, 0.5], [1, 1]))).toBe('invalid-input');
    expect(code(() => populationStabilityIndex([0, 0], [1, 1]))).toBe('insufficient-data');
    expect(code(() => populationStabilityIndex([1, 1], [0, 0]))).toBe('insufficient-data');
    expect(code(() => populationStabilityIndex([1, 1], [1, 1], { emptyBinShare: 0 }))).toBe('invalid-input');
  });
});

describe('population stability index properties', () => {
  const histograms = fc.integer({ min: 2, max: 12 }).chain((bins) =>
    fc.tuple(fc.array(fc.nat(10_000), { minLength: bins, maxLength: bins }), fc.array(fc.nat(10_000), { minLength: bins, maxLength: bins })),
  );
  const nonEmpty = ([e, a]: [number[], number[]]) => e.some((c) => c > 0) && a.some((c) => c > 0);

  it('is ≥ 0 in every bin, symmetric, and 0 exactly when the shares agree', () => {
    fc.assert(
      fc.property(histograms, (pair) => {
        fc.pre(nonEmpty(pair));
        const [e, a] = pair;
        const psi = populationStabilityIndex(e, a);
        expect(psi.contributions.every((term) => term >= 0)).toBe(true);
        expect(populationStabilityIndex(a, e).value).toBeCloseTo(psi.value, 9);
        expect(populationStabilityIndex(e, e).value).toBe(0);
      }),
    );
  });

  it('does not depend on the sample sizes, only on the shares', () => {
    fc.assert(
      fc.property(histograms, fc.integer({ min: 2, max: 50 }), (pair, k) => {
        fc.pre(nonEmpty(pair));
        const [e, a] = pair;
        expect(populationStabilityIndex(e.map((c) => c * k), a).value).toBeCloseTo(populationStabilityIndex(e, a).value, 9);
      }),
    );
  });
});

describe('quantile cut points and histograms', () => {
  it('cuts 1..100 into deciles of 10 values each', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    const cuts = quantileCutPoints(values);
    expect(cuts).toEqual([11, 21, 31, 41, 51, 61, 71, 81, 91]);
    expect(histogram(values, cuts)).toEqual({ counts: new Array(10).fill(10), missing: 0 });
  });

  it('merges tied cut points and drops the minimum: a mostly-zero feature gets a bin for 0', () => {
    const values = [...new Array<number>(70).fill(0), ...Array.from({ length: 30 }, (_, i) => i + 1)];
    const cuts = quantileCutPoints(values);
    expect(cuts).toEqual([1, 11, 21]);
    expect(histogram(values, cuts).counts).toEqual([70, 10, 10, 10]);
  });

  it('ignores missing values for the cut points and counts them apart; a constant has no cut point', () => {
    expect(quantileCutPoints([Number.NaN, 5, 5, 5])).toEqual([]);
    expect(quantileCutPoints([Number.NaN, Number.NaN])).toEqual([]);
    expect(histogram([Number.NaN, 5, 5, -1], [])).toEqual({ counts: [3], missing: 1 });
    expect(histogram([0.5, 1, 1.5, 2, 3, Number.NaN], [1, 2])).toEqual({ counts: [1, 2, 2], missing: 1 });
  });

  it('refuses bad bins and unsorted cut points', () => {
    expect(() => quantileCutPoints([1, 2], 1)).toThrow(StatsError);
    expect(() => quantileCutPoints([1, Infinity])).toThrow(StatsError);
    expect(() => histogram([1], [2, 1])).toThrow(StatsError);
  });

  it('property: counts sum to n, and each bin holds at most about n/bins + ties of its lower edge', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: -50, max: 50 }), fc.constant(Number.NaN)), { minLength: 1, maxLength: 400 }), fc.integer({ min: 2, max: 20 }), (values, bins) => {
        const cuts = quantileCutPoints(values, bins);
        expect(cuts.length).toBeLessThan(bins);
        cuts.forEach((cut, i) => i > 0 && expect(cut).toBeGreaterThan(cuts[i - 1]!));
        const h = histogram(values, cuts);
        const finite = values.filter((v) => !Number.isNaN(v));
        expect(h.missing).toBe(values.length - finite.length);
        expect(h.counts.reduce((s, c) => s + c, 0)).toBe(finite.length);
        // The same data against its own cut points is perfectly stable.
        if (finite.length > 0) expect(populationStabilityIndex([...h.counts, h.missing], [...h.counts, h.missing]).value).toBe(0);
      }),
    );
  });
});
