import { createHash, hash } from 'node:crypto';
import { endianness } from 'node:os';
import { modelInputs } from './model-inputs.js';
import type { FeatureSpec } from './feature-spec.js';
import type { Normaliser } from './normaliser.js';

/** One row's raw inputs in feature-spec order: numbers (NaN = missing) and, for the text classifier, the text. */
export interface RawModelRow {
  readonly numeric: ArrayLike<number>;
  readonly text: string | null;
}

/**
 * The model inputs of `rows`, row-major (rows × spec.inputWidth), through the very functions the
 * trainer fills its batches with (modelInputs → normaliseRow, hashText), so training and serving
 * cannot drift apart.
 */
export function modelInputBlock(spec: FeatureSpec, normaliser: Normaliser, rows: readonly RawModelRow[]): Float32Array {
  const numericValues = spec.numeric.map((_, c) => {
    const column = new Float64Array(rows.length);
    for (let r = 0; r < rows.length; r++) column[r] = (rows[r] as RawModelRow).numeric[c] ?? Number.NaN;
    return column;
  });
  const inputs = modelInputs({
    normaliser,
    numericValues,
    text: spec.text === null ? undefined : { values: rows.map((row) => row.text), hashing: spec.text },
  });
  if (inputs.width !== spec.inputWidth) {
    throw new Error(`feature spec says ${spec.inputWidth} inputs, normaliser and hashing give ${inputs.width}`);
  }
  const block = new Float32Array(rows.length * inputs.width);
  for (let row = 0; row < rows.length; row++) inputs.fillRow(row, block, row * inputs.width);
  return block;
}

const LITTLE_ENDIAN = endianness() === 'LE';

/** SHA-256 (hex) of a feature vector as the model saw it: its float32 values, little-endian. */
export function featureVectorHash(vector: Float32Array): string {
  // Typed arrays use the platform's byte order: on little-endian hosts (x86, ARM) the bytes are already right.
  if (LITTLE_ENDIAN) return hash('sha256', new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength), 'hex');
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < vector.length; i++) view.setFloat32(i * 4, vector[i] as number, true);
  return createHash('sha256').update(bytes).digest('hex');
}
