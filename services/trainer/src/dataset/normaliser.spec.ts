import { describe, expect, it } from 'vitest';
import { fitNormaliser, normaliseRow, normaliseValues } from '@kuroshio/model-runtime';
import { prepareDataset } from './prepare-dataset.js';
import type { TrainingSetTable } from '../training-set/training-set-table.js';

describe('fitNormaliser', () => {
  it('uses only the given (training) rows', () => {
    const values = Float64Array.of(1, 2, 3, 1000, 2000);
    const normaliser = fitNormaliser([{ name: 'x', values }], Uint32Array.of(0, 1, 2));
    expect(normaliser.columns[0]).toMatchObject({ column: 'x', mean: 2, missingIndicator: false });
    expect(normaliser.columns[0]!.std).toBeCloseTo(Math.sqrt(2 / 3), 12);
  });

  it('imputes the training mean and adds a missing indicator for columns with gaps', () => {
    const a = Float64Array.of(1, Number.NaN, 3);
    const b = Float64Array.of(10, 20, 30);
    const normaliser = fitNormaliser([{ name: 'a', values: a }, { name: 'b', values: b }], Uint32Array.of(0, 1, 2));
    expect(normaliser.width).toBe(3);
    const row = new Float32Array(3);
    normaliseRow(normaliser, [a, b], 1, row, 0);
    expect(row[0]).toBe(0); // missing → the mean → z = 0
    expect(row[1]).toBeCloseTo(0, 6);
    expect(row[2]).toBe(1); // indicator
    normaliseRow(normaliser, [a, b], 0, row, 0);
    expect(row[0]).toBeCloseTo(-1, 6);
    expect(row[2]).toBe(0);
    expect(Array.from(normaliseValues(normaliser, [null, 30]))).toEqual([0, expect.closeTo(Math.sqrt(1.5), 5), 1]);
  });

  it('never divides by a zero spread', () => {
    const normaliser = fitNormaliser([{ name: 'k', values: Float64Array.of(4, 4, 4) }], Uint32Array.of(0, 1, 2));
    expect(normaliser.columns[0]!.std).toBe(1);
  });
});

describe('prepareDataset', () => {
  it('fits the normaliser on the training split only', () => {
    // Times 0..9; the feature equals the time, so the newest rows (validation, test) are large.
    const n = 10;
    const table: TrainingSetTable = {
      rowCount: n,
      entityIds: Array.from({ length: n }, (_, i) => `c${i}`),
      labelTimesMs: Float64Array.from({ length: n }, (_, i) => i),
      labels: Float64Array.from({ length: n }, (_, i) => i % 2),
      numeric: new Map([['v__x', Float64Array.from({ length: n }, (_, i) => i)]]),
      text: new Map(),
    };
    const prepared = prepareDataset(table, { numeric: [{ column: 'v__x', featureView: 'v', feature: 'x', version: 1, valueType: 'double' }], text: null }, { kind: 'fractions', validation: 0.2, test: 0.2 }, 'balanced');
    expect(Array.from(prepared.split.train)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(prepared.normaliser.columns[0]!.mean).toBe(2.5); // mean of 0..5, not of 0..9
    expect(prepared.classWeights).toEqual({ negative: 1, positive: 1 });
  });
});
