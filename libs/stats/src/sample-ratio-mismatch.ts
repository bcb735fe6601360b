import { CompensatedSum } from './compensated-sum.js';
import { chiSquareSurvival } from './distributions.js';
import { StatsError, invalidInput, requireCount, requireFinite } from './stats-error.js';

/** Below this p-value an experiment's split is flagged: 0.001 is the usual choice for SRM alarms. */
export const DEFAULT_SRM_THRESHOLD = 0.001;

export interface SampleRatioMismatch {
  /** Pearson's chi-square against the planned split. */
  readonly statistic: number;
  /** Variants with a positive planned weight, minus 1. */
  readonly degreesOfFreedom: number;
  readonly pValue: number;
  readonly threshold: number;
  /** pValue < threshold. */
  readonly mismatch: boolean;
  /** Units each variant should have received under the planned weights. */
  readonly expectedCounts: readonly number[];
}

/**
 * Sample-ratio-mismatch check: chi-square goodness of fit of the units counted per variant against
 * the planned weights (any positive scale: [50, 50] and [0.5, 0.5] are the same plan).
 * A variant with weight 0 must have count 0; if it received units the split is broken by
 * construction: statistic Infinity, p = 0, mismatch. Throws `insufficient-data` with no units at
 * all and `invalid-input` for fewer than 2 variants, negative or non-integer counts, or weights
 * that are negative or sum to 0.
 */
export function sampleRatioMismatch(
  counts: readonly number[],
  plannedWeights: readonly number[],
  options?: { readonly threshold?: number },
): SampleRatioMismatch {
  const threshold = options?.threshold ?? DEFAULT_SRM_THRESHOLD;
  if (!(threshold > 0 && threshold < 1)) throw invalidInput(`threshold must be in (0, 1), got ${threshold}`);
  if (counts.length !== plannedWeights.length) {
    throw invalidInput(`${counts.length} counts for ${plannedWeights.length} planned weights`);
  }
  if (counts.length < 2) throw invalidInput('a split needs at least 2 variants');
  const totalCount = counts.reduce((sum, c, i) => sum + requireCount(c, `counts[${i}]`), 0);
  const totalWeight = plannedWeights.reduce((sum, w, i) => {
    if (requireFinite(w, `plannedWeights[${i}]`) < 0) throw invalidInput(`plannedWeights[${i}] is negative`);
    return sum + w;
  }, 0);
  if (!(totalWeight > 0)) throw invalidInput('planned weights must sum to more than 0');
  if (totalCount === 0) throw new StatsError('insufficient-data', 'no units counted');

  const expectedCounts = plannedWeights.map((w) => (totalCount * w) / totalWeight);
  const statistic = new CompensatedSum();
  let categories = 0;
  let impossible = false;
  counts.forEach((observed, i) => {
    const expected = expectedCounts[i] ?? 0;
    if (expected === 0) {
      impossible ||= observed > 0;
      return;
    }
    categories++;
    statistic.add(((observed - expected) * (observed - expected)) / expected);
  });
  // One variant with a positive weight leaves nothing to test (0 degrees of freedom): p = 1.
  const degreesOfFreedom = Math.max(0, categories - 1);
  const chiSquare = impossible ? Infinity : statistic.value;
  const pValue = impossible ? 0 : degreesOfFreedom === 0 ? 1 : chiSquareSurvival(chiSquare, degreesOfFreedom);
  return {
    statistic: chiSquare,
    degreesOfFreedom,
    pValue,
    threshold,
    mismatch: pValue < threshold,
    expectedCounts,
  };
}
