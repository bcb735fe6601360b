import type { InProgressConversions } from './sufficient-statistics-sql.js';
import type { ImprovementDirection, MetricKind, MetricRole } from '../domain/experiment-definition.js';
import type { Correction } from './multiple-testing.js';

// The analysis as the transports map it (gRPC ExperimentResults, JSON for the dashboard).

export interface Interval {
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
}

export interface VariantAllocation {
  readonly variant: string;
  readonly units: number;
  readonly expectedFraction: number;
  readonly observedFraction: number;
}

export interface SampleRatioCheck {
  readonly allocations: readonly VariantAllocation[];
  readonly chiSquare: number;
  readonly degreesOfFreedom: number;
  readonly pValue: number;
  readonly threshold: number;
  readonly mismatch: boolean;
  /**
   * Units first exposed under a variant the definition does not have: not in the allocations, the
   * chi-square or any metric, so the check above cannot see them.
   */
  readonly unknownVariantUnits: number;
  /** Units exposed under more than one variant (counted under their first exposure's). */
  readonly multipleVariantUnits: number;
  /** Exposures the definition cannot explain (either count above 0): assignment or logging is broken. */
  readonly exposureAnomaly: boolean;
}

export interface VariantStatistics {
  readonly variant: string;
  /** Units the metric counts: for a windowed metric, by default those whose window has closed. */
  readonly units: number;
  readonly sum: number;
  readonly mean: number;
  readonly variance: number;
  readonly adjustedMean: number;
  readonly adjustedVariance: number;
}

export interface LiftPoint {
  readonly timeMs: number;
  /** Units the metric counts in both arms by then. */
  readonly units: number;
  readonly relativeLift: number;
  readonly relativeLiftCi: Interval;
}

export type StatisticalTest = 'welch_t' | 'two_proportion_z';
export type ComparisonOutcome = 'improved' | 'degraded' | 'inconclusive';

export interface VariantComparison {
  readonly variant: string;
  readonly controlVariant: string;
  readonly test: StatisticalTest;
  readonly absoluteLift: number;
  readonly absoluteLiftCi: Interval;
  /** null when the control mean is 0 (no relative lift exists). */
  readonly relativeLift: number | null;
  readonly relativeLiftCi: Interval | null;
  readonly statistic: number;
  /** Infinity for a z-test. */
  readonly degreesOfFreedom: number;
  readonly pValue: number;
  readonly adjustedPValue: number;
  readonly significant: boolean;
  readonly outcome: ComparisonOutcome;
  readonly cupedApplied: boolean;
  readonly varianceReduction: number;
  readonly cumulative: readonly LiftPoint[];
}

export interface MetricResult {
  readonly metricKey: string;
  readonly description: string;
  readonly kind: MetricKind;
  readonly role: MetricRole;
  readonly direction: ImprovementDirection;
  readonly variants: readonly VariantStatistics[];
  readonly comparisons: readonly VariantComparison[];
  /** Treatments with too few units for a comparison (a variance needs 2). */
  readonly notComparable: readonly string[];
}

export interface ExperimentResults {
  readonly experimentKey: string;
  readonly computedAtMs: number;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  /** include: windowed metrics count units still inside their window; exclude: only closed windows. */
  readonly inProgressConversions: InProgressConversions;
  readonly controlVariant: string;
  readonly alpha: number;
  readonly correction: Correction;
  readonly sampleRatio: SampleRatioCheck;
  readonly metrics: readonly MetricResult[];
}
