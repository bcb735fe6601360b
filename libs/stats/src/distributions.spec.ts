import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectClose, loadFixture } from '../fixtures/reference.js';
import {
  chiSquareCdf,
  chiSquareSurvival,
  normalCdf,
  normalQuantile,
  studentTCdf,
  studentTQuantile,
  twoSidedStudentTP,
} from './distributions.js';

interface Point {
  x: number;
  df: number;
  expected: number;
}
interface Quantile {
  p: number;
  df: number;
  expected: number;
}
const [reference] = loadFixture<{
  studentTCdf: Point[];
  studentTQuantile: Quantile[];
  normalCdf: Omit<Point, 'df'>[];
  normalQuantile: Omit<Quantile, 'df'>[];
  chiSquareSurvival: Point[];
  chiSquareCdf: Point[];
}>('distributions').cases;

describe('distribution functions against scipy', () => {
  it.each(reference!.studentTCdf)('t cdf($x, $df)', ({ x, df, expected }) => {
    expectClose(studentTCdf(x, df), expected, 't cdf');
  });
  it.each(reference!.studentTQuantile)('t quantile($p, $df)', ({ p, df, expected }) => {
    expectClose(studentTQuantile(p, df), expected, 't quantile');
  });
  it.each(reference!.normalCdf)('normal cdf($x)', ({ x, expected }) => {
    expectClose(normalCdf(x), expected, 'normal cdf');
  });
  it.each(reference!.normalQuantile)('normal quantile($p)', ({ p, expected }) => {
    expectClose(normalQuantile(p), expected, 'normal quantile');
  });
  it.each(reference!.chiSquareSurvival)('chi-square survival($x, $df)', ({ x, df, expected }) => {
    expectClose(chiSquareSurvival(x, df), expected, 'chi-square survival');
  });
  it.each(reference!.chiSquareCdf)('chi-square cdf($x, $df)', ({ x, df, expected }) => {
    expectClose(chiSquareCdf(x, df), expected, 'chi-square cdf');
  });
});

describe('distribution function properties', () => {
  const df = fc.double({ min: 0.5, max: 1e7, noNaN: true });
  it('t quantile inverts the t cdf', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }), df, (p, v) => {
        expect(studentTCdf(studentTQuantile(p, v), v)).toBeCloseTo(p, 9);
      }),
    );
  });
  it('two-sided p-values are in [0, 1], 1 at t = 0, and decrease with |t|', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e3, max: 1e3, noNaN: true }), df, (t, v) => {
        const p = twoSidedStudentTP(t, v);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
        expect(twoSidedStudentTP(t * 1.5 + Math.sign(t), v)).toBeLessThanOrEqual(p);
      }),
    );
    expect(twoSidedStudentTP(0, 10)).toBe(1);
  });
  it('chi-square cdf and survival add up to 1', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 200, noNaN: true }), fc.integer({ min: 1, max: 50 }), (x, k) => {
        expect(chiSquareCdf(x, k) + chiSquareSurvival(x, k)).toBeCloseTo(1, 12);
      }),
    );
  });
});
