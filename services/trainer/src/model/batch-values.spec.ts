import { describe, expect, it } from 'vitest';
import { batchValuesProblem, MAX_BATCH_VALUES, predictionBatchRows } from './batch-values.js';

describe('batch values cap', () => {
  it('accepts batches up to the cap and names both factors beyond it', () => {
    expect(batchValuesProblem(64, 1 << 20)).toBeUndefined();
    expect(batchValuesProblem(65, 1 << 20)).toMatch(/batch_size 65 × input width 1048576 = 68157440 values per batch exceeds the cap of 67108864/);
  });

  it('predicts wide inputs in fewer rows per batch, never fewer than one', () => {
    expect(predictionBatchRows(20, 1024)).toBe(1024);
    expect(predictionBatchRows(1 << 20, 1024)).toBe(64);
    expect(predictionBatchRows(MAX_BATCH_VALUES * 2, 1024)).toBe(1);
  });
});
