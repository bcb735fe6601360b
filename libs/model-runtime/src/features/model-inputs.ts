import { hashText, type HashedVector, type NgramHashing } from './char-ngram-hashing.js';
import { normaliseRow, type Normaliser } from './normaliser.js';

/**
 * The model's input for every row of a training set, produced row by row so a wide hashed-text input
 * (2^14 buckets) never exists densely for the whole set: only one batch at a time.
 */
export interface ModelInputs {
  readonly width: number;
  /** Writes row `row`'s input (width values) into `target` at `offset`; untouched slots must be zero. */
  fillRow(row: number, target: Float32Array, offset: number): void;
}

/** Normalised numeric columns, then (for the text classifier) the hashed text. */
export function modelInputs(parts: {
  normaliser: Normaliser;
  numericValues: ReadonlyArray<Float64Array>;
  text?: { readonly values: ReadonlyArray<string | null>; readonly hashing: NgramHashing } | undefined;
}): ModelInputs {
  const { normaliser, numericValues, text } = parts;
  const hashed: Array<HashedVector | undefined> = [];
  const hashedRow = (row: number): HashedVector => {
    let vector = hashed[row];
    if (vector === undefined && text !== undefined) {
      vector = hashText(text.values[row] ?? null, text.hashing);
      hashed[row] = vector;
    }
    return vector as HashedVector;
  };
  return {
    width: normaliser.width + (text?.hashing.buckets ?? 0),
    fillRow(row, target, offset) {
      normaliseRow(normaliser, numericValues, row, target, offset);
      if (text === undefined) return;
      const base = offset + normaliser.width;
      const { indices, values } = hashedRow(row);
      for (let i = 0; i < indices.length; i++) target[base + (indices[i] as number)] = values[i] as number;
    },
  };
}

/** Rows `rows[from..to)` as one dense row-major block. */
export function denseBatch(inputs: ModelInputs, rows: ArrayLike<number>, from: number, to: number): Float32Array {
  const batch = new Float32Array((to - from) * inputs.width);
  for (let i = from; i < to; i++) inputs.fillRow(rows[i] as number, batch, (i - from) * inputs.width);
  return batch;
}
