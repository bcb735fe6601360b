import { checkSameLength } from './roc-auc.js';

/** One bin of a reliability diagram. */
export interface CalibrationBin {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Mean predicted probability in the bin (NaN when empty). */
  readonly meanPredicted: number;
  /** Share of positives in the bin (NaN when empty). */
  readonly observedRate: number;
}

export interface Calibration {
  readonly bins: readonly CalibrationBin[];
  /** Expected calibration error: Σ (count/n)·|meanPredicted − observedRate| over non-empty bins. */
  readonly expectedCalibrationError: number;
}

/** Equal-width reliability bins over [0, 1]; the last bin includes 1. */
export function calibration(labels: ArrayLike<number>, scores: ArrayLike<number>, binCount = 10): Calibration {
  checkSameLength(labels, scores);
  const counts = new Array<number>(binCount).fill(0);
  const predicted = new Array<number>(binCount).fill(0);
  const positives = new Array<number>(binCount).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const score = scores[i] as number;
    const bin = Math.min(binCount - 1, Math.max(0, Math.floor(score * binCount)));
    counts[bin] = (counts[bin] as number) + 1;
    predicted[bin] = (predicted[bin] as number) + score;
    if ((labels[i] as number) > 0.5) positives[bin] = (positives[bin] as number) + 1;
  }
  const bins = counts.map((count, b) => ({
    lower: b / binCount,
    upper: (b + 1) / binCount,
    count,
    meanPredicted: count === 0 ? Number.NaN : (predicted[b] as number) / count,
    observedRate: count === 0 ? Number.NaN : (positives[b] as number) / count,
  }));
  const n = labels.length;
  const expectedCalibrationError =
    n === 0 ? Number.NaN : bins.reduce((sum, bin) => (bin.count === 0 ? sum : sum + (bin.count / n) * Math.abs(bin.meanPredicted - bin.observedRate)), 0);
  return { bins, expectedCalibrationError };
}
