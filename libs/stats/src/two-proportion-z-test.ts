import { type IntervalOptions, confidenceLevelOf, intervalAround } from './confidence-level.js';
import { normalQuantile, twoSidedNormalP } from './distributions.js';
import { type RelativeLift, relativeLiftOfMeans } from './relative-lift.js';
import { StatsError, invalidInput, requireCount } from './stats-error.js';
import type { DifferenceTest } from './welch-t-test.js';

/** Units exposed and units that converted (each unit counted once). */
export interface ConversionCounts {
  readonly exposures: number;
  readonly conversions: number;
}

export interface ProportionComparison {
  readonly control: { readonly exposures: number; readonly conversions: number; readonly rate: number };
  readonly treatment: { readonly exposures: number; readonly conversions: number; readonly rate: number };
  /**
   * rateT - rateC. `statistic` and `pValue` use the pooled standard error (the variance under H0:
   * equal rates, as statsmodels' `proportions_ztest`); `standardError` and `confidenceInterval`
   * use the unpooled one (Wald, as `confint_proportions_2indep(method='wald')`), because the
   * interval is about the difference that exists, not the one H0 assumes. Both are reported.
   */
  readonly absolute: DifferenceTest & { readonly pooledStandardError: number };
  /** Delta-method relative lift with binomial variances; null when the control rate is 0. */
  readonly relative: RelativeLift | null;
}

/**
 * Two-proportion z-test of treatment against control.
 *
 * Degenerate cases (documented, no NaN): when both rates are 0 or both are 1 the pooled standard
 * error is 0 and there is no evidence of a difference: statistic 0, p = 1. When the pooled one is
 * positive the unpooled one can still be 0 (0% against 100%): the interval is then a point.
 * Throws `insufficient-data` when a variant has no exposures.
 */
export function twoProportionZTest(
  control: ConversionCounts,
  treatment: ConversionCounts,
  options?: IntervalOptions,
): ProportionComparison {
  const { level, upperTail } = confidenceLevelOf(options);
  const c = checkedCounts(control, 'control');
  const t = checkedCounts(treatment, 'treatment');
  const estimate = t.rate - c.rate;
  const pooledRate = (c.conversions + t.conversions) / (c.exposures + t.exposures);
  const pooledStandardError = Math.sqrt(pooledRate * (1 - pooledRate) * (1 / c.exposures + 1 / t.exposures));
  const varianceOfC = (c.rate * (1 - c.rate)) / c.exposures;
  const varianceOfT = (t.rate * (1 - t.rate)) / t.exposures;
  const standardError = Math.sqrt(varianceOfC + varianceOfT);
  const statistic = pooledStandardError === 0 ? 0 : estimate / pooledStandardError;
  const absolute = {
    estimate,
    standardError,
    pooledStandardError,
    confidenceLevel: level,
    confidenceInterval: intervalAround(estimate, normalQuantile(1 - upperTail) * standardError),
    statistic,
    degreesOfFreedom: Infinity,
    pValue: twoSidedNormalP(statistic),
  };
  const relative =
    c.rate === 0
      ? null
      : relativeLiftOfMeans(
          { mean: c.rate, varianceOfMean: varianceOfC },
          { mean: t.rate, varianceOfMean: varianceOfT },
          options,
        );
  return { control: c, treatment: t, absolute, relative };
}

function checkedCounts(counts: ConversionCounts, what: string) {
  const exposures = requireCount(counts.exposures, `${what}.exposures`);
  const conversions = requireCount(counts.conversions, `${what}.conversions`);
  if (conversions > exposures) {
    throw invalidInput(`${what}: conversions (${conversions}) exceed exposures (${exposures})`);
  }
  if (exposures === 0) throw new StatsError('insufficient-data', `${what} has no exposures`);
  return { exposures, conversions, rate: conversions / exposures };
}
