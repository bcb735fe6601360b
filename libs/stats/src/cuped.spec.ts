import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ReferenceRelative,
  type ReferenceSummary,
  type ReferenceWelch,
  expectClose,
  expectRelative,
  expectWelch,
  loadFixture,
} from '../fixtures/reference.js';
import {
  type CovariateMoments,
  type CovariateSums,
  covariateMomentsFromSums,
  covariateMomentsFromValues,
  cupedAdjust,
  mergeCovariateMoments,
} from './cuped.js';
import { summarize } from './moments.js';
import { relativeLift } from './relative-lift.js';
import { welchTTest } from './welch-t-test.js';

interface CupedCase {
  name: string;
  variants: CovariateSums[];
  expected: {
    theta: number;
    grandMeanX: number;
    varianceReduction: number;
    adjusted: ReferenceSummary[];
    comparisons: { welch: ReferenceWelch; relative: ReferenceRelative }[];
  };
}
const { cases } = loadFixture<CupedCase>('cuped');

describe('CUPED against numpy + scipy on the adjusted values', () => {
  it.each(cases)('$name', ({ variants, expected }) => {
    const adjustment = cupedAdjust(variants.map(covariateMomentsFromSums));
    expectClose(adjustment.theta, expected.theta, 'theta', 1e-9);
    expectClose(adjustment.grandMeanX, expected.grandMeanX, 'grand mean of X');
    expectClose(adjustment.varianceReduction, expected.varianceReduction, 'variance reduction', 1e-9);
    adjustment.variants.forEach((moments, i) => {
      const s = summarize(moments);
      const reference = expected.adjusted[i]!;
      expect(s.n).toBe(reference.n);
      expectClose(s.mean, reference.mean, `adjusted mean ${i}`, Math.sqrt(reference.variance / reference.n));
      expectClose(s.variance, reference.variance, `adjusted variance ${i}`);
    });
    const [control, ...treatments] = adjustment.variants;
    treatments.forEach((treatment, i) => {
      const reference = expected.comparisons[i]!;
      expectWelch((confidenceLevel) => welchTTest(control!, treatment, { confidenceLevel }), reference.welch);
      expectRelative((confidenceLevel) => relativeLift(control!, treatment, { confidenceLevel }), reference.relative);
    });
  });
});

const pairs = fc
  .array(fc.tuple(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.double({ min: -1e3, max: 1e3, noNaN: true })), {
    minLength: 3,
    maxLength: 80,
  })
  .map((rows) => ({ ys: rows.map(([y]) => y), xs: rows.map(([, x]) => x) }));

describe('CUPED properties', () => {
  it('variance reduction is in [0, 1]; the adjusted lift is the raw lift minus theta times the covariate gap', () => {
    fc.assert(
      fc.property(pairs, pairs, (a, b) => {
        const c = covariateMomentsFromValues(a.ys, a.xs);
        const t = covariateMomentsFromValues(b.ys, b.xs);
        const { theta, varianceReduction, variants } = cupedAdjust([c, t]);
        expect(varianceReduction).toBeGreaterThanOrEqual(-1e-9);
        expect(varianceReduction).toBeLessThanOrEqual(1 + 1e-9);
        const adjustedLift = variants[1]!.mean - variants[0]!.mean;
        const rawLift = t.meanY - c.meanY;
        const scale = 1 + Math.abs(rawLift) + Math.abs(theta * (t.meanX - c.meanX));
        expect(Math.abs(adjustedLift - (rawLift - theta * (t.meanX - c.meanX)))).toBeLessThan(1e-9 * scale);
      }),
    );
  });

  it('merging joint moments of any split equals the joint moments of the whole', () => {
    fc.assert(
      fc.property(pairs, fc.nat(), ({ ys, xs }, cut) => {
        const at = cut % (ys.length + 1);
        const merged = mergeCovariateMoments(
          covariateMomentsFromValues(ys.slice(0, at), xs.slice(0, at)),
          covariateMomentsFromValues(ys.slice(at), xs.slice(at)),
        );
        const whole = covariateMomentsFromValues(ys, xs);
        const scale = 1e-9 * (1 + whole.m2X + whole.m2Y) * ys.length;
        expect(Math.abs(merged.comoment - whole.comoment)).toBeLessThan(scale);
        expect(Math.abs(merged.m2X - whole.m2X)).toBeLessThan(scale);
        expect(merged.meanX).toBeCloseTo(whole.meanX, 6);
      }),
    );
  });

  it('a covariate equal to the metric removes all within-variant variance', () => {
    const c = covariateMomentsFromValues([1, 2, 3, 4], [1, 2, 3, 4]);
    const t = covariateMomentsFromValues([2, 4, 6, 9], [2, 4, 6, 9]);
    const { theta, varianceReduction, variants } = cupedAdjust([c, t]);
    expect(theta).toBeCloseTo(1, 12);
    expect(varianceReduction).toBeCloseTo(1, 12);
    expect(variants.every((v) => v.m2 < 1e-12)).toBe(true);
  });
});

describe('documented edge cases', () => {
  it('a constant covariate gives theta 0: the adjusted moments are the raw ones', () => {
    const c = covariateMomentsFromValues([1, 2, 4], [5, 5, 5]);
    const t = covariateMomentsFromValues([2, 3, 7, 1], [5, 5, 5, 5]);
    const { theta, varianceReduction, variants } = cupedAdjust([c, t]);
    expect(theta).toBe(0);
    expect(varianceReduction).toBe(0);
    expect(variants[0]).toMatchObject({ n: 3, mean: c.meanY, m2: c.m2Y });
  });

  it('an empty variant stays empty and does not move theta', () => {
    const c = covariateMomentsFromValues([1, 2, 4], [1, 3, 4]);
    const empty = covariateMomentsFromValues([], []);
    expect(cupedAdjust([c, empty]).theta).toBe(cupedAdjust([c]).theta);
    expect(cupedAdjust([c, empty]).variants[1]).toEqual({ n: 0, mean: 0, m2: 0 });
  });

  it('refuses mismatched or invalid input', () => {
    expect(() => cupedAdjust([])).toThrow(/at least one variant/);
    expect(() => covariateMomentsFromValues([1, 2], [1])).toThrow(/2 metric values for 1 covariate/);
    const bad: CovariateMoments = { n: 3, meanY: 1, meanX: 1, m2Y: -1, m2X: 1, comoment: 0 };
    expect(() => cupedAdjust([bad])).toThrow(/m2 must be >= 0/);
  });
});
