import { describe, expect, it } from 'vitest';
import type { TrainingSetTable } from '../training-set/training-set-table.js';
import { measureDrift } from './drift-measurement.js';
import { driftReference, driftReferenceSchema } from './drift-reference.js';

const column = (name: string) => ({ column: `usage__${name}`, featureView: 'usage', feature: name, version: 3, valueType: 'double' });

function table(values: number[]): TrainingSetTable {
  const n = values.length;
  return {
    rowCount: n,
    entityIds: values.map((_, i) => `c${i}`),
    labelTimesMs: new Float64Array(n),
    labels: new Float64Array(n),
    numeric: new Map([['usage__data_mb', Float64Array.from(values)]]),
    text: new Map(),
  };
}

describe('drift reference', () => {
  it('bins the training rows only (not validation or test) into deciles, with missing values apart', () => {
    // Rows 0..99 are training (values 1..100, every 10th missing); rows 100..109 (values 1000) are not.
    const values = [...Array.from({ length: 100 }, (_, i) => (i % 10 === 9 ? Number.NaN : i + 1)), ...new Array<number>(10).fill(1_000)];
    const train = Uint32Array.from({ length: 100 }, (_, i) => i);
    const reference = driftReference(table(values), [column('data_mb')], train, Float32Array.from([0.1, 0.2, 0.9]));
    const feature = reference.features[0]!;
    expect(feature).toMatchObject({ featureView: 'usage', feature: 'data_mb', version: 3, column: 'usage__data_mb', missing: 10 });
    expect(feature.counts.reduce((s, c) => s + c, 0)).toBe(90);
    expect(Math.max(...feature.cutPoints)).toBeLessThan(100);
    expect(reference.score).toMatchObject({ missing: 0 });
    expect(reference.score!.counts.reduce((s, c) => s + c, 0)).toBe(3);
    // What the manifest stores reads back.
    expect(driftReferenceSchema.parse(JSON.parse(JSON.stringify(reference)))).toEqual(reference);
  });

  it('the same population measured against its own reference has PSI 0; a shifted one does not', () => {
    const values = Array.from({ length: 1_000 }, (_, i) => (i * 7919) % 1_000);
    const train = Uint32Array.from({ length: 1_000 }, (_, i) => i);
    const feature = driftReference(table(values), [column('data_mb')], train, new Float32Array(0)).features[0]!;
    expect(measureDrift('usage:data_mb', feature, values)).toEqual({ name: 'usage:data_mb', psi: 0, referenceCount: 1_000, recentCount: 1_000 });
    const shifted = values.map((v) => v + 300);
    expect(measureDrift('usage:data_mb', feature, shifted).psi).toBeGreaterThan(1);
    // Values going missing online is drift too.
    const half = values.map((v, i) => (i % 2 === 0 ? Number.NaN : v));
    expect(measureDrift('usage:data_mb', feature, half).psi).toBeGreaterThan(0.2);
  });
});
