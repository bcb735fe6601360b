/** Loss weight per class. */
export interface ClassWeights {
  readonly negative: number;
  readonly positive: number;
}

/**
 * `balanced`: n / (2 · n_class) over the training rows, as scikit-learn's class_weight='balanced', so
 * both classes weigh the same in total however rare the positives; `none`: 1 and 1.
 */
export function classWeights(labels: Float64Array, trainRows: Uint32Array, mode: 'none' | 'balanced'): ClassWeights {
  if (mode === 'none') return { negative: 1, positive: 1 };
  let positives = 0;
  for (const row of trainRows) if ((labels[row] as number) > 0.5) positives++;
  const negatives = trainRows.length - positives;
  if (positives === 0 || negatives === 0) return { negative: 1, positive: 1 };
  return { negative: trainRows.length / (2 * negatives), positive: trainRows.length / (2 * positives) };
}

export function rowWeights(labels: Float64Array, weights: ClassWeights): Float32Array {
  return Float32Array.from(labels, (label) => (label > 0.5 ? weights.positive : weights.negative));
}
