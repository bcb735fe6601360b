import { EMPTY_MOMENTS, sampleRatioMismatch, StatsError } from '@kuroshio/stats';
import { controlOf, type ExperimentSpec, type ImprovementDirection } from '../domain/experiment-definition.js';
import { compareVariant, metricMomentsOf, type RawComparison } from './metric-comparison.js';
import { adjustPValues, type Correction } from './multiple-testing.js';
import type { ComparisonOutcome, ExperimentResults, LiftPoint, MetricResult, SampleRatioCheck, VariantComparison } from './results-model.js';
import { DAY_MS, type InProgressConversions } from './sufficient-statistics-sql.js';
import { addRow, emptyTotals, type StatisticsRow, type VariantTotals } from './variant-sums.js';

export interface AnalysisSettings {
  readonly alpha: number;
  readonly correction: Correction;
  readonly disableCuped: boolean;
  readonly includeCumulative: boolean;
  readonly srmThreshold: number;
  readonly asOfMs: number;
  readonly computedAtMs: number;
  readonly windowStartMs: number;
  /** What the statistics rows did with units still inside a windowed metric's window (reported as is). */
  readonly inProgressConversions?: InProgressConversions;
}

/**
 * The analysis of an experiment from its sufficient-statistics rows: per-variant statistics,
 * comparisons against the control, the multiple-testing correction across every comparison of
 * every metric, the SRM check and (optionally) the daily cumulative relative lift. Pure: every
 * statistic comes from @kuroshio/stats.
 */
export function computeResults(spec: ExperimentSpec, rows: readonly StatisticsRow[], settings: AnalysisSettings): ExperimentResults {
  const control = controlOf(spec);
  // Control first, then the treatments in definition order.
  const variants = [control, ...spec.variants.filter((v) => !v.control)];
  const position = new Map(variants.map((v, i) => [v.key, i]));
  const metricCount = spec.metrics.length;
  const totals = variants.map(() => emptyTotals(metricCount));
  const days = new Map<number, StatisticsRow[]>();
  const exposures = { unknownVariantUnits: 0, multipleVariantUnits: 0 };
  for (const row of rows) {
    exposures.multipleVariantUnits += row.multipleVariantUnits;
    const at = position.get(row.variant);
    // Units first exposed under a variant the definition does not have cannot be compared; the
    // chi-square cannot weigh them either (no weight), so they are counted and flagged beside it.
    if (at === undefined) {
      exposures.unknownVariantUnits += row.units;
      continue;
    }
    addRow(totals[at] as VariantTotals, row);
    days.set(row.day, [...(days.get(row.day) ?? []), row]);
  }
  const confidenceLevel = 1 - settings.alpha;

  const drafts = spec.metrics.map((metric, index) => {
    const moments = metricMomentsOf(metric, index, totals, !settings.disableCuped);
    const stats = variants.map((variant, i) => {
      const t = totals[i] as VariantTotals;
      const raw = moments.raw[i] ?? EMPTY_MOMENTS;
      const adjusted = moments.adjusted[i] ?? EMPTY_MOMENTS;
      return {
        variant: variant.key,
        units: t.metrics[index]?.units ?? 0,
        sum: t.metrics[index]?.sum ?? 0,
        mean: raw.mean,
        variance: raw.n >= 2 ? raw.m2 / (raw.n - 1) : 0,
        adjustedMean: adjusted.mean,
        adjustedVariance: adjusted.n >= 2 ? adjusted.m2 / (adjusted.n - 1) : 0,
      };
    });
    const comparisons: { variant: string; raw: RawComparison; cumulative: LiftPoint[] }[] = [];
    const notComparable: string[] = [];
    variants.slice(1).forEach((variant, k) => {
      const i = k + 1;
      const raw = compareVariant(
        metric,
        { totals: totals[0] as VariantTotals, moments: moments.adjusted[0] ?? EMPTY_MOMENTS },
        { totals: totals[i] as VariantTotals, moments: moments.adjusted[i] ?? EMPTY_MOMENTS },
        moments.cupedApplied,
        confidenceLevel,
        index,
      );
      if (raw === null) notComparable.push(variant.key);
      else comparisons.push({ variant: variant.key, raw, cumulative: settings.includeCumulative ? cumulativeLift(spec, index, variant.key, control.key, days, settings, confidenceLevel) : [] });
    });
    return { metric, moments, stats, comparisons, notComparable };
  });

  const pValues = drafts.flatMap((draft) => draft.comparisons.map((c) => c.raw.absolute.pValue));
  const adjusted = adjustPValues(pValues, settings.correction);
  let next = 0;
  const metrics = drafts.map((draft): MetricResult => ({
    metricKey: draft.metric.key,
    description: draft.metric.description,
    kind: draft.metric.kind,
    role: draft.metric.role,
    direction: draft.metric.direction,
    variants: draft.stats,
    notComparable: draft.notComparable,
    comparisons: draft.comparisons.map((c): VariantComparison => {
      const adjustedPValue = adjusted[next++] ?? 1;
      const significant = adjustedPValue < settings.alpha;
      const level = confidenceLevel;
      return {
        variant: c.variant,
        controlVariant: control.key,
        test: c.raw.test,
        absoluteLift: c.raw.absolute.estimate,
        absoluteLiftCi: { lower: c.raw.absolute.lower, upper: c.raw.absolute.upper, level },
        relativeLift: c.raw.relative?.estimate ?? null,
        relativeLiftCi: c.raw.relative === null ? null : { lower: c.raw.relative.lower, upper: c.raw.relative.upper, level },
        statistic: c.raw.absolute.statistic,
        degreesOfFreedom: c.raw.absolute.degreesOfFreedom,
        pValue: c.raw.absolute.pValue,
        adjustedPValue,
        significant,
        outcome: outcomeOf(significant, c.raw.absolute.estimate, draft.metric.direction),
        cupedApplied: draft.moments.cupedApplied,
        varianceReduction: draft.moments.varianceReduction,
        cumulative: c.cumulative,
      };
    }),
  }));

  return {
    experimentKey: spec.key,
    computedAtMs: settings.computedAtMs,
    windowStartMs: settings.windowStartMs,
    windowEndMs: settings.asOfMs,
    inProgressConversions: settings.inProgressConversions ?? 'include',
    controlVariant: control.key,
    alpha: settings.alpha,
    correction: settings.correction,
    sampleRatio: {
      ...sampleRatioOf(variants.map((v) => v.weight), variants.map((v) => v.key), totals.map((t) => t.units), settings.srmThreshold),
      ...exposures,
      exposureAnomaly: exposures.unknownVariantUnits > 0 || exposures.multipleVariantUnits > 0,
    },
    metrics,
  };
}

function outcomeOf(significant: boolean, estimate: number, direction: ImprovementDirection): ComparisonOutcome {
  if (!significant || estimate === 0) return 'inconclusive';
  return (estimate > 0) === (direction === 'increase') ? 'improved' : 'degraded';
}

type ChiSquareCheck = Omit<SampleRatioCheck, 'unknownVariantUnits' | 'multipleVariantUnits' | 'exposureAnomaly'>;

function sampleRatioOf(weights: readonly number[], keys: readonly string[], units: readonly number[], threshold: number): ChiSquareCheck {
  const totalUnits = units.reduce((a, b) => a + b, 0);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const allocations = keys.map((variant, i) => ({
    variant,
    units: units[i] ?? 0,
    expectedFraction: (weights[i] ?? 0) / totalWeight,
    observedFraction: totalUnits === 0 ? 0 : (units[i] ?? 0) / totalUnits,
  }));
  try {
    const srm = sampleRatioMismatch(units, weights, { threshold });
    return { allocations, chiSquare: srm.statistic, degreesOfFreedom: srm.degreesOfFreedom, pValue: srm.pValue, threshold, mismatch: srm.mismatch };
  } catch (error) {
    // No units yet: nothing to check.
    if (error instanceof StatsError && error.code === 'insufficient-data') return { allocations, chiSquare: 0, degreesOfFreedom: keys.length - 1, pValue: 1, threshold, mismatch: false };
    throw error;
  }
}

/**
 * Relative lift of `variant` over the control for the units first exposed up to the end of each
 * day (their metric values as of the analysis instant): the estimate settling as units accrue.
 * Unadjusted (no CUPED), one point per day with units in both arms and a computable lift.
 */
function cumulativeLift(spec: ExperimentSpec, index: number, variant: string, control: string, days: ReadonlyMap<number, readonly StatisticsRow[]>, settings: AnalysisSettings, confidenceLevel: number): LiftPoint[] {
  const metric = spec.metrics[index];
  if (metric === undefined) return [];
  const running = { control: emptyTotals(spec.metrics.length), treatment: emptyTotals(spec.metrics.length) };
  const points: LiftPoint[] = [];
  for (const day of [...days.keys()].sort((a, b) => a - b)) {
    for (const row of days.get(day) ?? []) {
      if (row.variant === control) addRow(running.control, row);
      else if (row.variant === variant) addRow(running.treatment, row);
    }
    const pair = [running.control, running.treatment];
    const moments = metricMomentsOf(metric, index, pair, false);
    const [controlMoments, treatmentMoments] = moments.raw;
    if (controlMoments === undefined || treatmentMoments === undefined) continue;
    const lift = compareVariant(metric, { totals: running.control, moments: controlMoments }, { totals: running.treatment, moments: treatmentMoments }, false, confidenceLevel, index);
    if (lift?.relative === null || lift === null || lift.relative === undefined) continue;
    points.push({
      timeMs: Math.min(settings.asOfMs, (day + 1) * DAY_MS),
      units: (running.control.metrics[index]?.units ?? 0) + (running.treatment.metrics[index]?.units ?? 0),
      relativeLift: lift.relative.estimate,
      relativeLiftCi: { lower: lift.relative.lower, upper: lift.relative.upper, level: confidenceLevel },
    });
  }
  return points;
}
