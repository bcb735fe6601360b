import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fnv1a32, hashText, normalisedCodePoints } from './char-ngram-hashing.js';
import { featureSpec, type FeatureSpecColumn } from './feature-spec.js';
import { featureVectorHash, modelInputBlock, type RawModelRow } from './feature-vector.js';
import { denseBatch, modelInputs } from './model-inputs.js';
import { fitNormaliser, type Normaliser } from './normaliser.js';

// Golden vectors written by fixtures/golden-vectors.mjs from the trainer's own code: the library
// must turn the same inputs into bit-identical model inputs (Float32 values compared exactly).
interface Golden {
  rows: Array<{ numeric: Array<number | null>; text: string | null }>;
  columns: string[];
  trainRows: number[];
  normaliser: Normaliser;
  hashing: { ngramMin: number; ngramMax: number; buckets: number };
  tabular: { width: number; block: number[] };
  text: { width: number; block: number[] };
  hashed: Array<{ text: string | null; indices: number[]; values: number[] }>;
  fnv: Array<{ text: string; hash: number }>;
}
const golden = JSON.parse(readFileSync(new URL('../../fixtures/golden-vectors.json', import.meta.url), 'utf8')) as Golden;

const specColumn = (column: string): FeatureSpecColumn => {
  const [featureView, feature] = column.split('__') as [string, string];
  return { column, featureView, feature, version: 1, valueType: 'double' };
};
const rows: RawModelRow[] = golden.rows.map((row) => ({ numeric: row.numeric.map((v) => v ?? Number.NaN), text: row.text }));
const numericColumns = golden.columns.map((_, c) => Float64Array.from(golden.rows, (row) => row.numeric[c] ?? Number.NaN));

describe('library vectorisation equals the trainer’s (golden vectors from services/trainer)', () => {
  it('fits the same normaliser on the training rows', () => {
    const fitted = fitNormaliser(golden.columns.map((name, c) => ({ name, values: numericColumns[c]! })), Uint32Array.from(golden.trainRows));
    expect(fitted).toEqual(golden.normaliser);
  });

  it('gives bit-identical tabular model inputs, missing values imputed with indicators', () => {
    const spec = featureSpec({ family: 'mlp', inputWidth: golden.tabular.width, numeric: golden.columns.map(specColumn), text: null });
    expect(Array.from(modelInputBlock(spec, golden.normaliser, rows))).toEqual(golden.tabular.block);
    const rowsAll = Uint32Array.from(golden.rows, (_, i) => i);
    expect(Array.from(denseBatch(modelInputs({ normaliser: golden.normaliser, numericValues: numericColumns }), rowsAll, 0, rows.length))).toEqual(golden.tabular.block);
  });

  it('gives bit-identical text-classifier inputs (z-scores, indicators, then hashed n-grams)', () => {
    const text = { ...specColumn('chat__last_message'), valueType: 'string', ...golden.hashing };
    const spec = featureSpec({ family: 'text_classifier', inputWidth: golden.text.width, numeric: golden.columns.map(specColumn), text });
    expect(Array.from(modelInputBlock(spec, golden.normaliser, rows))).toEqual(golden.text.block);
  });

  it('hashes texts to the same sparse vectors and FNV-1a values', () => {
    for (const entry of golden.hashed) {
      const vector = hashText(entry.text, { ngramMin: 1, ngramMax: 3, buckets: 1 << 14 });
      expect(Array.from(vector.indices), String(entry.text)).toEqual(entry.indices);
      expect(Array.from(vector.values), String(entry.text)).toEqual(entry.values);
    }
    for (const entry of golden.fnv) expect(fnv1a32(normalisedCodePoints(entry.text))).toBe(entry.hash);
  });

  it('refuses a spec whose width disagrees with the normaliser and hashing', () => {
    const spec = featureSpec({ family: 'mlp', inputWidth: golden.tabular.width + 1, numeric: golden.columns.map(specColumn), text: null });
    expect(() => modelInputBlock(spec, golden.normaliser, rows)).toThrow(/inputs/);
  });
});

describe('row independence', () => {
  it('a row’s inputs do not depend on the other rows of its block (micro-batching is safe)', () => {
    const spec = featureSpec({ family: 'mlp', inputWidth: golden.tabular.width, numeric: golden.columns.map(specColumn), text: null });
    const width = golden.tabular.width;
    fc.assert(
      fc.property(fc.subarray(rows.map((_, i) => i), { minLength: 1 }), (picked) => {
        const block = modelInputBlock(spec, golden.normaliser, picked.map((i) => rows[i]!));
        picked.forEach((i, at) => expect(Array.from(block.subarray(at * width, (at + 1) * width))).toEqual(golden.tabular.block.slice(i * width, (i + 1) * width)));
      }),
      { numRuns: 50 },
    );
  });
});

describe('featureVectorHash', () => {
  it('is the SHA-256 of the little-endian float32 bytes', () => {
    // sha256 of 8 zero bytes.
    expect(featureVectorHash(new Float32Array(2))).toBe('af5570f5a1810b7af78caf4bc70a660f0df51e42baf91d4de5b2328de0e83dfc');
  });

  it('hashes the little-endian bytes of exactly the given (sub)array', () => {
    fc.assert(
      fc.property(fc.array(fc.float(), { minLength: 1, maxLength: 40 }), fc.nat(), (values, from) => {
        const start = from % values.length;
        const vector = Float32Array.from(values).subarray(start);
        const bytes = Buffer.alloc(vector.length * 4);
        vector.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
        expect(featureVectorHash(vector)).toBe(createHash('sha256').update(bytes).digest('hex'));
      }),
    );
  });

  it('changes when any element changes, and only depends on the values', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true }), { minLength: 1, maxLength: 40 }), fc.nat(), (values, at) => {
        const vector = Float32Array.from(values);
        expect(featureVectorHash(Float32Array.from(values))).toBe(featureVectorHash(vector));
        const i = at % vector.length;
        const changed = Float32Array.from(vector);
        changed[i] = (vector[i] as number) + 1;
        fc.pre(changed[i] !== vector[i]);
        expect(featureVectorHash(changed)).not.toBe(featureVectorHash(vector));
      }),
    );
  });
});
