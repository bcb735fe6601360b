import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LEVELS, type Levels, type ReferenceRelative, expectClose, expectRelative, loadFixture } from '../fixtures/reference.js';
import { type ConversionCounts, twoProportionZTest } from './two-proportion-z-test.js';

interface ProportionCase {
  name: string;
  control: ConversionCounts;
  treatment: ConversionCounts;
  expected: {
    difference: number;
    statistic: number;
    pValue: number;
    pooledStandardError: number;
    unpooledStandardError: number;
    confidenceIntervals: Levels;
    relative: ReferenceRelative | null;
  };
}
const { cases } = loadFixture<ProportionCase>('proportions');

describe('two-proportion z-test against statsmodels', () => {
  it.each(cases)('$name', ({ control, treatment, expected }) => {
    const r = twoProportionZTest(control, treatment);
    const se = expected.unpooledStandardError;
    expectClose(r.absolute.estimate, expected.difference, 'difference', se);
    expectClose(r.absolute.pooledStandardError, expected.pooledStandardError, 'pooled standard error');
    expectClose(r.absolute.standardError, se, 'unpooled standard error');
    expectClose(r.absolute.statistic, expected.statistic, 'z', 1e-9);
    expectClose(r.absolute.pValue, expected.pValue, 'p-value', 1e-300);
    for (const confidenceLevel of LEVELS) {
      const { lower, upper } = twoProportionZTest(control, treatment, { confidenceLevel }).absolute.confidenceInterval;
      const [refLower, refUpper] = expected.confidenceIntervals[String(confidenceLevel) as '0.95'];
      expectClose(lower, refLower, `${confidenceLevel} lower (Wald, unpooled)`, se);
      expectClose(upper, refUpper, `${confidenceLevel} upper (Wald, unpooled)`, se);
    }
    if (expected.relative === null) {
      expect(r.relative).toBeNull();
    } else {
      expectRelative((confidenceLevel) => twoProportionZTest(control, treatment, { confidenceLevel }).relative!, expected.relative);
    }
  });
});

const counts = fc
  .tuple(fc.integer({ min: 1, max: 10_000_000 }), fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([exposures, rate]): ConversionCounts => ({ exposures, conversions: Math.round(exposures * rate) }));

describe('two-proportion z-test properties', () => {
  it('p in [0, 1], interval holds the estimate, swapping negates only the difference', () => {
    fc.assert(
      fc.property(counts, counts, (c, t) => {
        const ab = twoProportionZTest(c, t).absolute;
        const ba = twoProportionZTest(t, c).absolute;
        expect(ab.pValue).toBeGreaterThanOrEqual(0);
        expect(ab.pValue).toBeLessThanOrEqual(1);
        expect(ab.confidenceInterval.lower).toBeLessThanOrEqual(ab.estimate);
        expect(ab.confidenceInterval.upper).toBeGreaterThanOrEqual(ab.estimate);
        expect(ba.pValue).toBe(ab.pValue);
        expect(ba.estimate + ab.estimate).toBe(0);
        expect(Number.isNaN(ab.statistic)).toBe(false);
      }),
    );
  });
});

describe('documented edge cases', () => {
  it('no conversions anywhere: z = 0, p = 1, a point interval at 0, relative null', () => {
    const r = twoProportionZTest({ exposures: 100, conversions: 0 }, { exposures: 120, conversions: 0 });
    expect(r.absolute).toMatchObject({ estimate: 0, statistic: 0, pValue: 1, standardError: 0 });
    expect(r.absolute.confidenceInterval).toEqual({ lower: 0, upper: 0 });
    expect(r.relative).toBeNull();
  });

  it('everyone converted in both: z = 0, p = 1', () => {
    const r = twoProportionZTest({ exposures: 10, conversions: 10 }, { exposures: 20, conversions: 20 });
    expect(r.absolute).toMatchObject({ estimate: 0, statistic: 0, pValue: 1 });
    expect(r.relative?.estimate).toBe(0);
  });

  it('0% against 100%: a finite z from the pooled error, a point interval from the unpooled one', () => {
    const r = twoProportionZTest({ exposures: 50, conversions: 0 }, { exposures: 50, conversions: 50 });
    expect(r.absolute.statistic).toBeCloseTo(10, 12);
    expect(r.absolute.confidenceInterval).toEqual({ lower: 1, upper: 1 });
  });

  it.each([
    [{ exposures: 10, conversions: 11 }, /exceed/],
    [{ exposures: 10.5, conversions: 1 }, /integer/],
    [{ exposures: 10, conversions: -1 }, /integer/],
    [{ exposures: 0, conversions: 0 }, /no exposures/],
  ])('refuses %j', (bad, message) => {
    expect(() => twoProportionZTest(bad, { exposures: 10, conversions: 1 })).toThrow(message);
  });
});
