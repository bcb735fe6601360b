import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitsFloat32 } from './model-input-value.js';

const FLOAT32_MAX = 3.4028234663852886e38;

describe('fitsFloat32', () => {
  it('accepts the float32 range, its largest value included, and refuses what a Float32Array holds as an infinity', () => {
    for (const value of [0, -0, 1e-45, 1, -1, 1e38, FLOAT32_MAX, -FLOAT32_MAX, 3.4028235e38]) expect(fitsFloat32(value)).toBe(true);
    for (const value of [3.5e38, -3.5e38, 1e39, Number.MAX_VALUE, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]) expect(fitsFloat32(value)).toBe(false);
  });

  it('says exactly whether the value stays finite in a Float32Array', () => {
    fc.assert(
      fc.property(fc.double(), (value) => {
        expect(fitsFloat32(value)).toBe(Number.isFinite(Float32Array.of(value)[0] as number));
      }),
      { numRuns: 2_000 },
    );
  });
});
