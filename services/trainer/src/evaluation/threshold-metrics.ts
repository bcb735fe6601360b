import { checkSameLength } from './roc-auc.js';

export interface ThresholdMetrics {
  readonly threshold: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly trueNegatives: number;
  /** tp / (tp + fp); 0 when nothing is flagged (scikit-learn's zero_division=0). */
  readonly precision: number;
  /** tp / (tp + fn); 0 without positives. */
  readonly recall: number;
}

/** Confusion counts with a row flagged positive when its score is at or above the threshold. */
export function thresholdMetrics(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold: number): ThresholdMetrics {
  checkSameLength(labels, scores);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < labels.length; i++) {
    const positive = (labels[i] as number) > 0.5;
    const flagged = (scores[i] as number) >= threshold;
    if (positive && flagged) tp++;
    else if (flagged) fp++;
    else if (positive) fn++;
    else tn++;
  }
  return {
    threshold,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    trueNegatives: tn,
    precision: tp + fp === 0 ? 0 : tp / (tp + fp),
    recall: tp + fn === 0 ? 0 : tp / (tp + fn),
  };
}
