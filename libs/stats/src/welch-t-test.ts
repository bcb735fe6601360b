import { type ConfidenceInterval, type IntervalOptions, confidenceLevelOf, intervalAround } from './confidence-level.js';
import { studentTQuantile, twoSidedStudentTP } from './distributions.js';
import { type Moments, summarize } from './moments.js';

/** A difference of treatment minus control with its test against 0 and its interval. */
export interface DifferenceTest {
  /** treatment - control. */
  readonly estimate: number;
  readonly standardError: number;
  readonly confidenceLevel: number;
  readonly confidenceInterval: ConfidenceInterval;
  /** t (Welch) or z (proportions). ±Infinity when the standard error is 0 and the estimate is not. */
  readonly statistic: number;
  /** Welch–Satterthwaite degrees of freedom; Infinity for a z-test. */
  readonly degreesOfFreedom: number;
  /** Two-sided. */
  readonly pValue: number;
}

/**
 * Welch's unequal-variance t-test of treatment - control, with the Welch–Satterthwaite degrees of
 * freedom and the t-quantile interval (as scipy's `ttest_ind(equal_var=False)`).
 *
 * Zero variance (documented, no NaN): with one variance 0 the formulas hold (df = n - 1 of the
 * other variant). With both 0 the standard error is 0: the interval is [estimate, estimate], df is
 * nC + nT - 2, and the statistic is 0 with p = 1 if the means are equal, ±Infinity with p = 0
 * otherwise. Throws `insufficient-data` if a variant has fewer than 2 units.
 */
export function welchTTest(control: Moments, treatment: Moments, options?: IntervalOptions): DifferenceTest {
  const { level, upperTail } = confidenceLevelOf(options);
  const c = summarize(control);
  const t = summarize(treatment);
  const estimate = t.mean - c.mean;
  const vc = c.variance / c.n;
  const vt = t.variance / t.n;
  const standardError = Math.sqrt(vc + vt);
  const degreesOfFreedom = welchSatterthwaite(vc, c.n, vt, t.n);
  if (standardError === 0) {
    return {
      estimate,
      standardError,
      confidenceLevel: level,
      confidenceInterval: intervalAround(estimate, 0),
      statistic: estimate === 0 ? 0 : Math.sign(estimate) * Infinity,
      degreesOfFreedom,
      pValue: estimate === 0 ? 1 : 0,
    };
  }
  const statistic = estimate / standardError;
  const quantile = studentTQuantile(1 - upperTail, degreesOfFreedom);
  return {
    estimate,
    standardError,
    confidenceLevel: level,
    confidenceInterval: intervalAround(estimate, quantile * standardError),
    statistic,
    degreesOfFreedom,
    pValue: twoSidedStudentTP(statistic, degreesOfFreedom),
  };
}

/**
 * (vc + vt)² / (vc²/(nc-1) + vt²/(nt-1)) for the variances of the two means. Scaled by the larger
 * variance first, so variances near the bottom of the double range do not underflow when squared.
 */
export function welchSatterthwaite(vc: number, nc: number, vt: number, nt: number): number {
  const scale = Math.max(vc, vt);
  if (scale === 0) return nc + nt - 2;
  const a = vc / scale;
  const b = vt / scale;
  return ((a + b) * (a + b)) / ((a * a) / (nc - 1) + (b * b) / (nt - 1));
}
