import { checkSameLength } from './roc-auc.js';

/** Probabilities are clipped this far from 0 and 1 so one confident mistake costs a large, finite loss. */
export const LOG_LOSS_EPSILON = 1e-15;

/** Mean binary cross-entropy (natural log). */
export function logLoss(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkSameLength(labels, scores);
  if (labels.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, scores[i] as number));
    sum -= (labels[i] as number) > 0.5 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / labels.length;
}

/** Mean squared difference between the probability and the 0/1 outcome. */
export function brierScore(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkSameLength(labels, scores);
  if (labels.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += ((scores[i] as number) - ((labels[i] as number) > 0.5 ? 1 : 0)) ** 2;
  return sum / labels.length;
}
