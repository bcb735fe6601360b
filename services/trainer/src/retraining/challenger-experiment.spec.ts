import { grpcNest } from '@kuroshio/contracts';
import { describe, expect, it } from 'vitest';
import { analysisOf } from './adapters/grpc-retraining-experiments.js';

const E = grpcNest.experiment.v1;

describe('analysis read from GetResults', () => {
  const comparison = (outcome: grpcNest.experiment.v1.ComparisonOutcome, relative: boolean) => ({
    variant: 'challenger',
    controlVariant: 'champion',
    test: E.StatisticalTest.STATISTICAL_TEST_TWO_PROPORTION_Z,
    absoluteLift: 0.02,
    absoluteLiftCi: { lower: 0.01, upper: 0.03, level: 0.95 },
    relativeLift: relative ? 0.2 : 0,
    relativeLiftCi: relative ? { lower: 0.1, upper: 0.3, level: 0.95 } : null,
    statistic: 3,
    degreesOfFreedom: 0,
    pValue: 0.001,
    adjustedPValue: 0.002,
    significant: true,
    outcome,
    cupedApplied: false,
    varianceReduction: 0,
    cumulative: [],
  });
  const metric = (key: string, comparisons: ReturnType<typeof comparison>[]) => ({
    metricKey: key,
    kind: E.MetricKind.METRIC_KIND_CONVERSION,
    role: E.MetricRole.METRIC_ROLE_PRIMARY,
    direction: E.ImprovementDirection.IMPROVEMENT_DIRECTION_INCREASE,
    variants: [],
    comparisons,
  });

  it('takes the challenger’s comparisons, units per arm, the SRM flag and the units with contradicting exposures', () => {
    const analysis = analysisOf({
      experimentKey: 'retrain-m-v2',
      controlVariant: 'champion',
      alpha: 0.05,
      correction: E.MultipleTestingCorrection.MULTIPLE_TESTING_CORRECTION_HOLM,
      sampleRatio: {
        allocations: [
          { variant: 'champion', units: 1_200, expectedFraction: 0.5, observedFraction: 0.5 },
          { variant: 'challenger', units: 1_190, expectedFraction: 0.5, observedFraction: 0.5 },
        ],
        chiSquare: 0.04,
        degreesOfFreedom: 1,
        pValue: 0.84,
        threshold: 0.001,
        mismatch: false,
        unknownVariantUnits: 3,
        multipleVariantUnits: 7,
        exposureAnomaly: true,
      },
      metrics: [metric('paid', [comparison(E.ComparisonOutcome.COMPARISON_OUTCOME_IMPROVED, true)]), metric('calls', [comparison(E.ComparisonOutcome.COMPARISON_OUTCOME_DEGRADED, false)]), metric('empty', [])],
    });
    expect(analysis).toEqual({
      units: { champion: 1_200, challenger: 1_190 },
      sampleRatio: { mismatch: false, pValue: 0.84 },
      anomalousUnits: { unknownVariant: 3, multipleVariants: 7 },
      metrics: [
        { key: 'paid', outcome: 'improved', adjustedPValue: 0.002, absoluteLift: 0.02, relativeLift: 0.2 },
        { key: 'calls', outcome: 'degraded', adjustedPValue: 0.002, absoluteLift: 0.02, relativeLift: null },
        { key: 'empty', outcome: 'inconclusive', adjustedPValue: 1, absoluteLift: 0, relativeLift: null },
      ],
    });
  });
});
