import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildClassifier } from '../model/model-family.js';
import { useBackend, capturedArtifacts } from '@kuroshio/model-runtime';
import { float16Bits, float16Value } from './float16.js';
import { affineUint8Range, quantizeArtifacts } from './weight-quantization.js';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('float16', () => {
  it('rounds as the platform Float16Array does (round to nearest even, overflow to Infinity)', () => {
    const reference = new (globalThis as unknown as { Float16Array: new (n: number) => { [i: number]: number; buffer: ArrayBuffer } }).Float16Array(1);
    const bits = new Uint16Array(reference.buffer);
    fc.assert(
      fc.property(fc.float({ noNaN: true }), (value) => {
        reference[0] = value;
        expect(float16Bits(value)).toBe(bits[0]);
        expect(float16Value(float16Bits(value))).toBe(reference[0]);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('affine uint8 range', () => {
  it('includes zero exactly', () => {
    fc.assert(
      fc.property(fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: -10, max: 10, noNaN: true }), (a, b) => {
        const { min, scale } = affineUint8Range(Math.min(a, b), Math.max(a, b));
        const zeroCode = -min / scale;
        expect(Math.abs(zeroCode - Math.round(zeroCode))).toBeLessThan(1e-6);
      }),
    );
  });
});

describe('quantizeArtifacts', () => {
  it('round-trips through tf.loadLayersModel within half a quantisation step (uint8) and float16 precision', async () => {
    const model = buildClassifier(12, [16, 8], 7);
    const full = await capturedArtifacts(model);
    const original = model.getWeights().map((w) => w.dataSync().slice());

    const uint8 = quantizeArtifacts(full, 'uint8');
    const specs = uint8.weightSpecs ?? [];
    expect(specs.every((spec) => spec.quantization?.dtype === 'uint8' && (spec.quantization as { original_dtype?: string }).original_dtype === 'float32')).toBe(true);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(uint8));
    loaded.getWeights().forEach((weight, i) => {
      const step = specs[i]!.quantization!.scale!;
      const restored = weight.dataSync();
      original[i]!.forEach((value, j) => expect(Math.abs((restored[j] as number) - value)).toBeLessThanOrEqual(step / 2 + 1e-6));
    });
    // One byte per weight instead of four.
    expect((uint8.weightData as ArrayBuffer).byteLength * 4).toBe(tf.io.CompositeArrayBuffer.join(full.weightData!).byteLength);

    const half = await tf.loadLayersModel(tf.io.fromMemory(quantizeArtifacts(full, 'float16')));
    half.getWeights().forEach((weight, i) => {
      const restored = weight.dataSync();
      original[i]!.forEach((value, j) => expect(Math.abs((restored[j] as number) - value)).toBeLessThanOrEqual(Math.abs(value) * 2 ** -11 + 2 ** -25));
    });

    const x = tf.randomNormal([64, 12], 0, 1, 'float32', 3);
    const reference = (model.predict(x) as tf.Tensor).dataSync();
    const quantised = (loaded.predict(x) as tf.Tensor).dataSync();
    reference.forEach((p, i) => expect(Math.abs((quantised[i] as number) - p)).toBeLessThan(0.05));
    [model, loaded, half].forEach((m) => m.dispose());
  });

  it('stores a constant weight as zeros read back as that value', async () => {
    const model = buildClassifier(3, [], 1);
    const full = await capturedArtifacts(model);
    const bias = (full.weightSpecs ?? []).find((spec) => spec.name.endsWith('bias'))!;
    const quantised = quantizeArtifacts(full, 'uint8');
    const spec = quantised.weightSpecs!.find((s) => s.name === bias.name)!;
    expect(spec.quantization).toMatchObject({ dtype: 'uint8', min: 0, scale: 1 });
    model.dispose();
  });
});
