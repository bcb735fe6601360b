import { compareMeans, cupedAdjust, StatsError, twoProportionZTest, type Moments } from '@kuroshio/stats';
import type { MetricSpec } from '../domain/experiment-definition.js';
import type { StatisticalTest } from './results-model.js';
import { covariateMoments, metricMoments, type VariantTotals } from './variant-sums.js';

/** One treatment against the control before the multiple-testing correction. */
export interface RawComparison {
  readonly test: StatisticalTest;
  readonly absolute: { estimate: number; lower: number; upper: number; statistic: number; degreesOfFreedom: number; pValue: number };
  readonly relative: { estimate: number; lower: number; upper: number } | null;
}

/** Per-variant moments of a metric, CUPED-adjusted when the metric asks for it and it can be done. */
export interface MetricMoments {
  readonly raw: readonly Moments[];
  readonly adjusted: readonly Moments[];
  readonly cupedApplied: boolean;
  readonly varianceReduction: number;
}

export function metricMomentsOf(metric: MetricSpec, index: number, totals: readonly VariantTotals[], useCuped: boolean): MetricMoments {
  const raw = totals.map((t) => metricMoments(t, index));
  const cupedPossible = useCuped && metric.cupedLookbackMs !== null && totals.every((t) => (t.metrics[index]?.units ?? 0) >= 2);
  if (!cupedPossible) return { raw, adjusted: raw, cupedApplied: false, varianceReduction: 0 };
  const adjustment = cupedAdjust(totals.map((t) => covariateMoments(t, index)));
  return { raw, adjusted: adjustment.variants, cupedApplied: true, varianceReduction: Math.max(0, adjustment.varianceReduction) };
}

/**
 * Treatment against control with @kuroshio/stats: a conversion without CUPED by the two-proportion
 * z-test on unit counts; everything else (sums, counts, CUPED-adjusted conversions) by Welch's
 * t-test on the moments, with the delta-method relative lift. null when a variant has fewer than 2 units the metric counts.
 */
export function compareVariant(metric: MetricSpec, control: { totals: VariantTotals; moments: Moments }, treatment: { totals: VariantTotals; moments: Moments }, cupedApplied: boolean, confidenceLevel: number, index: number): RawComparison | null {
  try {
    if (metric.kind === 'conversion' && !cupedApplied) {
      const z = twoProportionZTest(
        { exposures: control.totals.metrics[index]?.units ?? 0, conversions: Math.round(control.totals.metrics[index]?.sum ?? 0) },
        { exposures: treatment.totals.metrics[index]?.units ?? 0, conversions: Math.round(treatment.totals.metrics[index]?.sum ?? 0) },
        { confidenceLevel },
      );
      return {
        test: 'two_proportion_z',
        absolute: { estimate: z.absolute.estimate, ...z.absolute.confidenceInterval, statistic: z.absolute.statistic, degreesOfFreedom: Infinity, pValue: z.absolute.pValue },
        relative: z.relative === null ? null : { estimate: z.relative.estimate, ...z.relative.confidenceInterval },
      };
    }
    if (control.moments.n < 2 || treatment.moments.n < 2) return null;
    const t = compareMeans(control.moments, treatment.moments, { confidenceLevel });
    return {
      test: 'welch_t',
      absolute: { estimate: t.absolute.estimate, ...t.absolute.confidenceInterval, statistic: t.absolute.statistic, degreesOfFreedom: t.absolute.degreesOfFreedom, pValue: t.absolute.pValue },
      relative: t.relative === null ? null : { estimate: t.relative.estimate, ...t.relative.confidenceInterval },
    };
  } catch (error) {
    if (error instanceof StatsError && error.code === 'insufficient-data') return null;
    throw error;
  }
}
