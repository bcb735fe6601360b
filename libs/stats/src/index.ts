export { CompensatedSum, compensatedSum } from './compensated-sum.js';
export {
  DEFAULT_CONFIDENCE_LEVEL,
  type ConfidenceInterval,
  type IntervalOptions,
} from './confidence-level.js';
export {
  type CovariateMoments,
  type CovariateSums,
  type CupedAdjustment,
  covariateMomentsFromSums,
  covariateMomentsFromValues,
  cupedAdjust,
  mergeCovariateMoments,
} from './cuped.js';
export {
  chiSquareCdf,
  chiSquareSurvival,
  normalCdf,
  normalQuantile,
  studentTCdf,
  studentTQuantile,
  twoSidedNormalP,
  twoSidedStudentTP,
} from './distributions.js';
export { type MeanComparison, compareMeans } from './mean-comparison.js';
export {
  EMPTY_MOMENTS,
  type MetricSums,
  type Moments,
  type VariantSummary,
  checkedMoments,
  mergeMoments,
  momentsFromMeanVariance,
  momentsFromSums,
  momentsFromValues,
  summarize,
} from './moments.js';
export { benjaminiHochberg, holmBonferroni } from './multiple-testing.js';
export { type MeanEstimate, type RelativeLift, relativeLift, relativeLiftOfMeans } from './relative-lift.js';
export {
  DEFAULT_PSI_EMPTY_BIN_SHARE,
  DEFAULT_PSI_THRESHOLD,
  type Histogram,
  type PopulationStability,
  histogram,
  populationStabilityIndex,
  quantileCutPoints,
} from './population-stability.js';
export { DEFAULT_SRM_THRESHOLD, type SampleRatioMismatch, sampleRatioMismatch } from './sample-ratio-mismatch.js';
export { StatsError, type StatsErrorCode } from './stats-error.js';
export { type ConversionCounts, type ProportionComparison, twoProportionZTest } from './two-proportion-z-test.js';
export { type DifferenceTest, welchSatterthwaite, welchTTest } from './welch-t-test.js';
