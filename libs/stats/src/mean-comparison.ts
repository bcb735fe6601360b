import type { IntervalOptions } from './confidence-level.js';
import { type Moments, type VariantSummary, summarize } from './moments.js';
import { type RelativeLift, relativeLift } from './relative-lift.js';
import { StatsError } from './stats-error.js';
import { type DifferenceTest, welchTTest } from './welch-t-test.js';

/** Everything the results page shows for one mean metric and one treatment against control. */
export interface MeanComparison {
  readonly control: VariantSummary;
  readonly treatment: VariantSummary;
  /** Absolute lift, Welch's t-test. */
  readonly absolute: DifferenceTest;
  /** Relative lift (delta method); null when the control mean is 0 (see `relativeLift`). */
  readonly relative: RelativeLift | null;
}

export function compareMeans(control: Moments, treatment: Moments, options?: IntervalOptions): MeanComparison {
  return {
    control: summarize(control),
    treatment: summarize(treatment),
    absolute: welchTTest(control, treatment, options),
    relative: relativeLiftUnlessZeroBaseline(control, treatment, options),
  };
}

function relativeLiftUnlessZeroBaseline(control: Moments, treatment: Moments, options?: IntervalOptions) {
  try {
    return relativeLift(control, treatment, options);
  } catch (error) {
    if (error instanceof StatsError && error.code === 'zero-baseline') return null;
    throw error;
  }
}
