import { checkFinite, checkSameLength } from './roc-auc.js';

/**
 * Area under the precision–recall curve as average precision: Σₖ (Rₖ − Rₖ₋₁)·Pₖ over the distinct
 * score thresholds from the highest down (tied scores enter together), as scikit-learn's
 * `average_precision_score`. NaN without positives. Scores must be finite (RangeError otherwise).
 */
export function averagePrecision(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkSameLength(labels, scores);
  checkFinite(scores);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  let totalPositives = 0;
  for (let i = 0; i < labels.length; i++) if ((labels[i] as number) > 0.5) totalPositives++;
  if (totalPositives === 0) return Number.NaN;
  let truePositives = 0;
  let predicted = 0;
  let previousRecall = 0;
  let area = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1] as number] === scores[order[start] as number]) end++;
    for (let k = start; k <= end; k++) if ((labels[order[k] as number] as number) > 0.5) truePositives++;
    predicted += end - start + 1;
    const recall = truePositives / totalPositives;
    area += (recall - previousRecall) * (truePositives / predicted);
    previousRecall = recall;
    start = end + 1;
  }
  return area;
}
