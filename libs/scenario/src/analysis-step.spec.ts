import { grpcJs } from '@kuroshio/contracts';
import { describe, expect, it } from 'vitest';
import { experimentLinks, summariseResults } from './analysis-step.js';
import { LOCAL_PLATFORM } from './platform-endpoints.js';

const v1 = grpcJs.experiment.v1;

function results(mismatch: boolean) {
  return v1.ExperimentResults.fromPartial({
    experimentKey: 'bad-debt-v1-vs-v2',
    controlVariant: 'champion',
    alpha: 0.05,
    correction: v1.MultipleTestingCorrection.MULTIPLE_TESTING_CORRECTION_HOLM,
    sampleRatio: {
      allocations: [
        { variant: 'champion', units: 74, expectedFraction: 0.5, observedFraction: 74 / 150 },
        { variant: 'challenger', units: 76, expectedFraction: 0.5, observedFraction: 76 / 150 },
      ],
      chiSquare: mismatch ? 25 : 0.027,
      degreesOfFreedom: 1,
      pValue: mismatch ? 5.7e-7 : 0.87,
      threshold: 0.001,
      mismatch,
    },
    metrics: [
      {
        metricKey: 'paid_within_7d',
        kind: v1.MetricKind.METRIC_KIND_CONVERSION,
        role: v1.MetricRole.METRIC_ROLE_PRIMARY,
        variants: [
          { variant: 'champion', units: 74, mean: 0.25 },
          { variant: 'challenger', units: 76, mean: 0.4474 },
        ],
        comparisons: [
          {
            variant: 'challenger',
            controlVariant: 'champion',
            absoluteLift: 0.1974,
            absoluteLiftCi: { lower: 0.0507, upper: 0.3441, level: 0.95 },
            relativeLift: 0.79,
            relativeLiftCi: { lower: 0.1, upper: 1.48, level: 0.95 },
            pValue: 0.0098,
            adjustedPValue: 0.0294,
            significant: true,
            outcome: v1.ComparisonOutcome.COMPARISON_OUTCOME_IMPROVED,
          },
        ],
      },
      {
        metricKey: 'paid_amount_7d',
        kind: v1.MetricKind.METRIC_KIND_SUM,
        role: v1.MetricRole.METRIC_ROLE_SECONDARY,
        variants: [{ variant: 'champion', units: 74, mean: 60.2 }],
        comparisons: [{ variant: 'challenger', controlVariant: 'champion', absoluteLift: 45.11, relativeLift: Number.NaN, cupedApplied: true, varianceReduction: 0.234, pValue: 0.2, adjustedPValue: 0.4, outcome: v1.ComparisonOutcome.COMPARISON_OUTCOME_INCONCLUSIVE }],
      },
    ],
  });
}

describe('summariseResults', () => {
  it('prints the split, each metric per variant, and each comparison with interval, p-values and verdict', () => {
    const lines = summariseResults(results(false));
    expect(lines[0]).toBe('Experiment bad-debt-v1-vs-v2: control champion, α 0.05, holm correction across 2 metric(s)');
    expect(lines[1]).toContain('champion 74 (49.3 % of 50 %), challenger 76 (50.7 % of 50 %)');
    expect(lines[1]).toContain('no sample-ratio mismatch');
    expect(lines[2]).toMatch(/^ {2}paid_within_7d \(primary, conversion\) +champion 25\.0 % \(n 74\) {2}challenger 44\.7 % \(n 76\)$/);
    expect(lines[3]).toBe('      challenger vs champion: +19.7 pp [+5.1, +34.4], +79.0 % [+10.0, +148.0]; p 0.0098 (adjusted 0.0294) → IMPROVED');
    expect(lines[5]).toBe('      challenger vs champion: +45.11, relative n/a, CUPED −23.4 % variance; p 0.2000 (adjusted 0.4000) → INCONCLUSIVE');
  });

  it('warns loudly on a sample-ratio mismatch', () => {
    expect(summariseResults(results(true))[1]).toContain('SAMPLE RATIO MISMATCH (χ² 25.00, p 5.7e-7 < 0.001)');
  });
});

describe('experimentLinks', () => {
  it('points at the dashboard entry, the JSON results and the analyst view', () => {
    expect(experimentLinks(LOCAL_PLATFORM, 'bad-debt-v1-vs-v2')).toEqual({
      dashboard: 'http://127.0.0.1:7007/dashboard#bad-debt-v1-vs-v2',
      resultsApi: 'http://127.0.0.1:7007/api/experiments/bad-debt-v1-vs-v2/results',
      clickhouseView: 'experiment_bad_debt_v1_vs_v2',
    });
  });
});
