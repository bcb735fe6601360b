import { type ConfidenceInterval, type IntervalOptions, confidenceLevelOf, intervalAround } from './confidence-level.js';
import { normalQuantile } from './distributions.js';
import { type Moments, summarize } from './moments.js';
import { StatsError } from './stats-error.js';

/** Relative lift treatment / control - 1 with its delta-method interval. */
export interface RelativeLift {
  readonly estimate: number;
  readonly standardError: number;
  readonly confidenceLevel: number;
  /** Normal-quantile (asymptotic) interval, symmetric around the estimate. */
  readonly confidenceInterval: ConfidenceInterval;
}

/** A mean and the variance of that mean (variance / n). */
export interface MeanEstimate {
  readonly mean: number;
  readonly varianceOfMean: number;
}

/**
 * Relative lift mT / mC - 1 by the delta method for a ratio of independent means:
 * Var ≈ Var(mT)/mC² + mT² Var(mC)/mC⁴, i.e. se = sqrt(Var(mT) + r² Var(mC)) / |mC| with r = mT/mC.
 * It ignores the skew of a ratio, so it is for samples where the control mean is many standard
 * errors from 0 (every real A/B test on exposures). Throws `zero-baseline` when mC = 0, or so close
 * to 0 that the ratio or its standard error overflows.
 */
export function relativeLiftOfMeans(
  control: MeanEstimate,
  treatment: MeanEstimate,
  options?: IntervalOptions,
): RelativeLift {
  const { level, upperTail } = confidenceLevelOf(options);
  if (control.mean === 0) {
    throw new StatsError('zero-baseline', 'relative lift is undefined for a control mean of 0');
  }
  const ratio = treatment.mean / control.mean;
  const estimate = ratio - 1;
  const standardError =
    Math.sqrt(treatment.varianceOfMean + ratio * ratio * control.varianceOfMean) / Math.abs(control.mean);
  const halfWidth = normalQuantile(1 - upperTail) * standardError;
  if (!Number.isFinite(estimate) || !Number.isFinite(halfWidth)) {
    throw new StatsError('zero-baseline', `relative lift overflows for a control mean of ${control.mean}`);
  }
  return {
    estimate,
    standardError,
    confidenceLevel: level,
    confidenceInterval: intervalAround(estimate, halfWidth),
  };
}

/** Relative lift of two metric means (sample variances). Needs n >= 2 in each variant. */
export function relativeLift(control: Moments, treatment: Moments, options?: IntervalOptions): RelativeLift {
  const c = summarize(control);
  const t = summarize(treatment);
  return relativeLiftOfMeans(
    { mean: c.mean, varianceOfMean: c.variance / c.n },
    { mean: t.mean, varianceOfMean: t.variance / t.n },
    options,
  );
}
