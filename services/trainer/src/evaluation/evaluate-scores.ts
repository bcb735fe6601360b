import { averagePrecision } from './average-precision.js';
import { assertFiniteScores } from './finite-scores.js';
import { calibration, type Calibration } from './calibration.js';
import { brierScore, logLoss } from './probability-scores.js';
import { rocAuc } from './roc-auc.js';
import { thresholdMetrics } from './threshold-metrics.js';

export interface Evaluation {
  /** Conventional ModelVersion.metrics keys: roc_auc, pr_auc, log_loss, brier, precision, recall, threshold, test_rows, test_positives, ece. */
  readonly metrics: Readonly<Record<string, number>>;
  readonly calibration: Calibration;
}

/** Every test-split metric of one set of scores; throws NonFiniteScoresError if any score is not finite. */
export function evaluateScores(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold: number): Evaluation {
  assertFiniteScores(scores, 'test');
  const atThreshold = thresholdMetrics(labels, scores, threshold);
  const reliability = calibration(labels, scores, 10);
  return {
    metrics: {
      roc_auc: rocAuc(labels, scores),
      pr_auc: averagePrecision(labels, scores),
      log_loss: logLoss(labels, scores),
      brier: brierScore(labels, scores),
      precision: atThreshold.precision,
      recall: atThreshold.recall,
      threshold,
      test_rows: labels.length,
      test_positives: atThreshold.truePositives + atThreshold.falseNegatives,
      ece: reliability.expectedCalibrationError,
    },
    calibration: reliability,
  };
}

/** `metric - reference` for every metric both have (a quantised copy against the full model). */
export function metricDeltas(metrics: Readonly<Record<string, number>>, reference: Readonly<Record<string, number>>): Record<string, number> {
  const deltas: Record<string, number> = {};
  for (const key of ['roc_auc', 'pr_auc', 'log_loss', 'brier', 'precision', 'recall', 'ece']) {
    const value = metrics[key];
    const base = reference[key];
    if (value !== undefined && base !== undefined) deltas[`${key}_delta`] = value - base;
  }
  return deltas;
}
