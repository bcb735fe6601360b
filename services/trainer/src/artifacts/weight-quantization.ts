import * as tf from '@tensorflow/tfjs';
import { float16Bits } from './float16.js';

export type QuantizationDtype = 'uint8' | 'float16';

/** What the weights manifest records per quantised weight, as tfjs-converter writes it (tfjs's type lacks original_dtype). */
export type WeightQuantization = NonNullable<tf.io.WeightsManifestEntry['quantization']> & { readonly original_dtype: 'float32' };

function quantization(value: WeightQuantization): WeightQuantization {
  return value;
}

/**
 * A copy of saved model artifacts with every float32 weight quantised the way tfjs-converter's
 * `--quantize_uint8` / `--quantize_float16` do, so `tf.loadLayersModel` dequantises on load:
 * - uint8: affine per weight tensor, the range widened to include 0 and nudged so 0 is exact;
 *   stored bytes q = round((w − min) / scale), read back as q·scale + min (error ≤ scale / 2);
 * - float16: IEEE binary16, round to nearest even.
 * Other dtypes are copied unchanged.
 */
export function quantizeArtifacts(artifacts: tf.io.ModelArtifacts, dtype: QuantizationDtype): tf.io.ModelArtifacts {
  const specs = artifacts.weightSpecs ?? [];
  const data = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)));
  const chunks: Uint8Array[] = [];
  const quantizedSpecs: tf.io.WeightsManifestEntry[] = [];
  let offset = 0;
  for (const spec of specs) {
    if (spec.quantization !== undefined) throw new Error(`weight ${spec.name} is already quantised`);
    const count = spec.shape.reduce((product, dim) => product * dim, 1);
    const bytes = count * bytesPerElement(spec.dtype);
    const raw = data.subarray(offset, offset + bytes);
    offset += bytes;
    if (spec.dtype !== 'float32') {
      chunks.push(raw.slice());
      quantizedSpecs.push(spec);
      continue;
    }
    const values = new Float32Array(raw.slice().buffer);
    const { bytes: stored, quantization } = dtype === 'uint8' ? quantizeUint8(values) : quantizeFloat16(values);
    chunks.push(stored);
    quantizedSpecs.push({ ...spec, quantization });
  }
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const joined = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    joined.set(chunk, at);
    at += chunk.length;
  }
  return { ...artifacts, weightSpecs: quantizedSpecs, weightData: joined.buffer };
}

/** tfjs-converter's affine uint8 range: includes 0, nudged so that 0 maps to an integer. */
export function affineUint8Range(min: number, max: number): { min: number; scale: number } {
  const low = Math.min(0, min);
  const high = Math.max(0, max);
  // A range too narrow to divide into 255 steps is as good as a constant 0.
  if (high - low < 1e-30) return { min: 0, scale: 1 };
  const scale = (high - low) / 255;
  const zeroPoint = Math.round(-low / scale);
  return { min: -zeroPoint * scale, scale };
}

function quantizeUint8(values: Float32Array): { bytes: Uint8Array; quantization: WeightQuantization } {
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (values.length === 0 || min === max) {
    // One value: every byte 0, read back as min (the converter does the same).
    const only = values.length === 0 ? 0 : min;
    return { bytes: new Uint8Array(values.length), quantization: quantization({ dtype: 'uint8', min: only, scale: 1, original_dtype: 'float32' }) };
  }
  const range = affineUint8Range(min, max);
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    bytes[i] = Math.min(255, Math.max(0, Math.round(((values[i] as number) - range.min) / range.scale)));
  }
  return { bytes, quantization: quantization({ dtype: 'uint8', min: range.min, scale: range.scale, original_dtype: 'float32' }) };
}

function quantizeFloat16(values: Float32Array): { bytes: Uint8Array; quantization: WeightQuantization } {
  const halves = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) halves[i] = float16Bits(values[i] as number);
  return { bytes: new Uint8Array(halves.buffer), quantization: quantization({ dtype: 'float16', original_dtype: 'float32' }) };
}

function bytesPerElement(dtype: string): number {
  if (dtype === 'float32' || dtype === 'int32') return 4;
  if (dtype === 'bool' || dtype === 'uint8') return 1;
  if (dtype === 'float16' || dtype === 'uint16') return 2;
  throw new Error(`cannot size weights of dtype ${dtype}`);
}
