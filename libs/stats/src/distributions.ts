// Distribution functions from stdlib (https://stdlib.io): ports of Boost.Math and Cephes that are
// accurate in the tails (the lower tail is computed directly, not as 1 - cdf). ADR 0018 has the
// comparison with jStat that decided it.
import gammainc from '@stdlib/math-base-special-gammainc';
import normalCdfAt from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantileAt from '@stdlib/stats-base-dists-normal-quantile';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** P(T <= x) for Student's t with `df` > 0 (not necessarily integer) degrees of freedom. */
export function studentTCdf(x: number, df: number): number {
  return tCdf(x, df);
}

/** The x with P(T <= x) = p. */
export function studentTQuantile(p: number, df: number): number {
  return tQuantile(p, df);
}

/** P(Z <= x) for the standard normal. */
export function normalCdf(x: number): number {
  return normalCdfAt(x, 0, 1);
}

/** The x with P(Z <= x) = p for the standard normal. */
export function normalQuantile(p: number): number {
  return normalQuantileAt(p, 0, 1);
}

/** P(X <= x) for chi-square with `df` degrees of freedom (the regularised lower incomplete gamma). */
export function chiSquareCdf(x: number, df: number): number {
  return x <= 0 ? 0 : gammainc(x / 2, df / 2, true, false);
}

/** P(X > x) for chi-square: the regularised upper incomplete gamma, accurate far into the tail. */
export function chiSquareSurvival(x: number, df: number): number {
  return x <= 0 ? 1 : gammainc(x / 2, df / 2, true, true);
}

/** Two-sided p-value of a t statistic: 2 P(T <= -|t|), from the lower tail so tiny values keep their digits. */
export function twoSidedStudentTP(t: number, df: number): number {
  return Math.min(1, 2 * tCdf(-Math.abs(t), df));
}

/** Two-sided p-value of a z statistic. */
export function twoSidedNormalP(z: number): number {
  return Math.min(1, 2 * normalCdfAt(-Math.abs(z), 0, 1));
}
