import { describe, expect, it } from 'vitest';
import { defaultHyperparameters } from './training-plan.js';
import { fitAndEvaluate } from './fit-and-evaluate.js';
import type { TrainingSetTable } from '../training-set/training-set-table.js';
import type { ColumnPlan } from '../dataset/prepare-dataset.js';

describe('fitAndEvaluate', () => {
  it('refuses, before training, a batch size that makes the real input width exceed the values cap', async () => {
    // 1,100 unnamed numeric features (the spec could not count them) × batch 65,536 = 72 M values.
    const n = 40;
    const names = Array.from({ length: 1_100 }, (_, j) => `v__f${j}`);
    const table: TrainingSetTable = {
      rowCount: n,
      entityIds: Array.from({ length: n }, (_, i) => `c${i}`),
      labelTimesMs: Float64Array.from({ length: n }, (_, i) => i),
      labels: Float64Array.from({ length: n }, (_, i) => i % 2),
      numeric: new Map(names.map((name, j) => [name, Float64Array.from({ length: n }, (_, i) => i * j)])),
      text: new Map(),
    };
    const columns: ColumnPlan = { numeric: names.map((column, j) => ({ column, featureView: 'v', feature: `f${j}`, version: 1, valueType: 'double' })), text: null };
    const plan = {
      family: 'logistic_regression' as const,
      features: [],
      hyperparameters: { ...defaultHyperparameters('logistic_regression'), batchSize: 65_536, text: null },
      split: { kind: 'fractions' as const, validation: 0.15, test: 0.15 },
      seed: 1,
      decisionThreshold: 0.5,
    };
    await expect(fitAndEvaluate(table, columns, plan)).rejects.toThrow(/batch_size 65536 × input width 1100 = 72089600 values per batch exceeds the cap/);
  });
});
