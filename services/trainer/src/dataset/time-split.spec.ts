import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timeSplit } from './time-split.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);

describe('timeSplit', () => {
  it('puts the oldest 70 % in train, the next 15 % in validation and the newest 15 % in test', () => {
    // Shuffled times 0..99.
    const times = Float64Array.from({ length: 100 }, (_, i) => (i * 37) % 100);
    const split = timeSplit(times, ids(100), { kind: 'fractions', validation: 0.15, test: 0.15 });
    const timesOf = (rows: Uint32Array) => Array.from(rows, (row) => times[row]);
    expect(timesOf(split.train)).toEqual(Array.from({ length: 70 }, (_, i) => i));
    expect(timesOf(split.validation)).toEqual(Array.from({ length: 15 }, (_, i) => 70 + i));
    expect(timesOf(split.test)).toEqual(Array.from({ length: 15 }, (_, i) => 85 + i));
    expect(split.validationStartMs).toBe(70);
    expect(split.testStartMs).toBe(85);
  });

  it('never separates rows of the same instant', () => {
    // Ten instants with ten rows each: a 15 % cut would fall inside an instant.
    const times = Float64Array.from({ length: 100 }, (_, i) => Math.floor(i / 10));
    const split = timeSplit(times, ids(100), { kind: 'fractions', validation: 0.15, test: 0.15 });
    const max = (rows: Uint32Array) => Math.max(...Array.from(rows, (r) => times[r] as number));
    const min = (rows: Uint32Array) => Math.min(...Array.from(rows, (r) => times[r] as number));
    expect(max(split.train)).toBeLessThan(min(split.validation));
    expect(max(split.validation)).toBeLessThan(min(split.test));
  });

  it('splits at fixed instants', () => {
    const times = Float64Array.of(5, 1, 9, 3, 7);
    const split = timeSplit(times, ids(5), { kind: 'times', validationStartMs: 4, testStartMs: 8 });
    expect(Array.from(split.train, (r) => times[r])).toEqual([1, 3]);
    expect(Array.from(split.validation, (r) => times[r])).toEqual([5, 7]);
    expect(Array.from(split.test, (r) => times[r])).toEqual([9]);
  });

  it('keeps every row exactly once, and every train row before every test row', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 200 }), fc.double({ min: 0, max: 0.45, noNaN: true }), fc.double({ min: 0.01, max: 0.45, noNaN: true }), (raw, validation, test) => {
        const times = Float64Array.from(raw);
        const split = timeSplit(times, ids(raw.length), { kind: 'fractions', validation, test });
        const all = [...split.train, ...split.validation, ...split.test].sort((a, b) => a - b);
        expect(all).toEqual(raw.map((_, i) => i));
        const latestTrain = Math.max(-1, ...Array.from(split.train, (r) => times[r] as number));
        const earliestTest = Math.min(Infinity, ...Array.from(split.test, (r) => times[r] as number));
        expect(latestTrain).toBeLessThan(earliestTest);
      }),
    );
  });

  it('drops training and validation rows whose label is decided after the next split starts (embargo)', () => {
    // Times 0..99; validation starts at 70, test at 85; labels are decided 10 after observation.
    const times = Float64Array.from({ length: 100 }, (_, i) => (i * 37) % 100);
    const split = timeSplit(times, ids(100), { kind: 'fractions', validation: 0.15, test: 0.15, embargoMs: 10 });
    const timesOf = (rows: Uint32Array) => Array.from(rows, (row) => times[row]);
    // Train keeps t + 10 < 70, validation keeps t + 10 < 85; test is untouched.
    expect(timesOf(split.train)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(timesOf(split.validation)).toEqual([70, 71, 72, 73, 74]);
    expect(timesOf(split.test)).toEqual(Array.from({ length: 15 }, (_, i) => 85 + i));
    expect(split).toMatchObject({ validationStartMs: 70, testStartMs: 85, embargoMs: 10, embargoedTrainRows: 10, embargoedValidationRows: 10 });
  });

  it('embargoes against the given instants of a fixed split, and against test when there is no validation', () => {
    const times = Float64Array.of(1, 3, 5, 6, 7, 9);
    const fixed = timeSplit(times, ids(6), { kind: 'times', validationStartMs: 4, testStartMs: 8, embargoMs: 2 });
    expect(Array.from(fixed.train, (r) => times[r])).toEqual([1]);
    expect(Array.from(fixed.validation, (r) => times[r])).toEqual([5]);
    expect(Array.from(fixed.test, (r) => times[r])).toEqual([9]);
    const noValidation = timeSplit(times, ids(6), { kind: 'times', validationStartMs: 8, testStartMs: 8, embargoMs: 2 });
    expect(Array.from(noValidation.train, (r) => times[r])).toEqual([1, 3, 5]);
    expect(noValidation.embargoedTrainRows).toBe(2);
  });

  it('keeps only rows whose label is decided before the next split starts, and never touches test', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0, max: 0.45, noNaN: true }),
        fc.double({ min: 0.01, max: 0.45, noNaN: true }),
        fc.integer({ min: 0, max: 30 }),
        (raw, validation, test, embargoMs) => {
          const times = Float64Array.from(raw);
          const plain = timeSplit(times, ids(raw.length), { kind: 'fractions', validation, test });
          const split = timeSplit(times, ids(raw.length), { kind: 'fractions', validation, test, embargoMs });
          expect(Array.from(split.test)).toEqual(Array.from(plain.test));
          expect(Array.from(split.train)).toEqual(Array.from(plain.train).filter((r) => split.train.includes(r)));
          expect(split.train.length + split.embargoedTrainRows).toBe(plain.train.length);
          expect(split.validation.length + split.embargoedValidationRows).toBe(plain.validation.length);
          const decided = (rows: Uint32Array) => Math.max(-Infinity, ...Array.from(rows, (r) => (times[r] as number) + embargoMs));
          const trainCut = plain.validation.length > 0 ? split.validationStartMs : split.testStartMs;
          if (!Number.isNaN(trainCut)) expect(decided(split.train)).toBeLessThan(trainCut);
          if (!Number.isNaN(split.testStartMs)) expect(decided(split.validation)).toBeLessThan(split.testStartMs);
          // Only rows that had to go were dropped.
          for (const r of plain.train) if (!split.train.includes(r)) expect((times[r] as number) + embargoMs).toBeGreaterThanOrEqual(trainCut);
        },
      ),
    );
  });

  it('rejects fractions that leave nothing to train on', () => {
    expect(() => timeSplit(Float64Array.of(1, 2), ids(2), { kind: 'fractions', validation: 0.5, test: 0.5 })).toThrow(RangeError);
  });
});
