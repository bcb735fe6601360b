import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DriftMeasurement } from './drift-measurement.js';
import type { TriggerSettings } from './retraining-policy.js';
import { anyFired, evaluateTriggers } from './trigger-evaluation.js';

const DAY = 86_400_000;
const all: TriggerSettings = {
  maxChampionAgeMs: 30 * DAY,
  minNewLabelledRows: 1_000,
  drift: { psiThreshold: 0.2, windowMs: 7 * DAY, minSample: 100, maxEntities: 1_000, includeScores: true },
};
const psi = (name: string, value: number): DriftMeasurement => ({ name, psi: value, referenceCount: 5_000, recentCount: 400 });

describe('trigger evaluation', () => {
  it('judges each trigger that is on, in order, against its threshold', () => {
    const evaluations = evaluateTriggers(all, {
      championAgeMs: 31 * DAY,
      newLabelledRows: { ok: true, value: 999 },
      featureDrift: { ok: true, value: [psi('usage:data_mb_30d', 0.05), psi('usage:calls_30d', 0.21)] },
      scoreDrift: { ok: true, value: psi('score', 0.19) },
    });
    expect(evaluations.map((e) => [e.trigger, e.fired, e.value, e.threshold])).toEqual([
      ['schedule', true, 31 * 24, 30 * 24],
      ['data_volume', false, 999, 1_000],
      ['feature_drift', true, 0.21, 0.2],
      ['score_drift', false, 0.19, 0.2],
    ]);
    expect(evaluations[2]!.detail).toBe('PSI >= 0.2 for usage:calls_30d (0.21)');
    expect(evaluations[2]!.drift).toHaveLength(2);
    expect(evaluations[3]!.detail).toBe('largest PSI 0.19 (score) is below 0.2');
    expect(anyFired(evaluations)).toBe(true);
  });

  it('fires exactly at the thresholds (age, rows and PSI are "at least")', () => {
    const evaluations = evaluateTriggers(all, {
      championAgeMs: 30 * DAY,
      newLabelledRows: { ok: true, value: 1_000 },
      featureDrift: { ok: true, value: [psi('a:b', 0.2)] },
      scoreDrift: { ok: true, value: psi('score', 0.2) },
    });
    expect(evaluations.every((e) => e.fired)).toBe(true);
  });

  it('reports a trigger it could not measure as not evaluated, and never fires it', () => {
    const evaluations = evaluateTriggers(all, {
      championAgeMs: DAY,
      newLabelledRows: { ok: false, why: 'the end of the training data is unknown' },
      featureDrift: { ok: false, why: 'only 12 entities' },
      scoreDrift: { ok: true, value: psi('score', 0.01) },
    });
    expect(evaluations.map((e) => [e.trigger, e.evaluated, e.fired])).toEqual([
      ['schedule', true, false],
      ['data_volume', false, false],
      ['feature_drift', false, false],
      ['score_drift', true, false],
    ]);
    expect(evaluations[2]!.detail).toBe('only 12 entities');
    expect(anyFired(evaluations)).toBe(false);
  });

  it('leaves out triggers that are off', () => {
    const evaluations = evaluateTriggers({ maxChampionAgeMs: null, minNewLabelledRows: 0, drift: { ...all.drift!, includeScores: false } }, { championAgeMs: 400 * DAY, featureDrift: { ok: true, value: [] } });
    expect(evaluations.map((e) => e.trigger)).toEqual(['feature_drift']);
    expect(evaluations[0]).toMatchObject({ evaluated: false, fired: false });
  });

  it('property: retraining is asked for exactly when some measured value reaches its threshold', () => {
    fc.assert(
      fc.property(
        fc.nat(100 * DAY),
        fc.nat(3_000),
        fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { minLength: 1, maxLength: 6 }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        (age, rows, featurePsi, scorePsi) => {
          const evaluations = evaluateTriggers(all, {
            championAgeMs: age,
            newLabelledRows: { ok: true, value: rows },
            featureDrift: { ok: true, value: featurePsi.map((v, i) => psi(`v:f${i}`, v)) },
            scoreDrift: { ok: true, value: psi('score', scorePsi) },
          });
          const expected = age >= 30 * DAY || rows >= 1_000 || featurePsi.some((v) => v >= 0.2) || scorePsi >= 0.2;
          expect(anyFired(evaluations)).toBe(expected);
          expect(evaluations.find((e) => e.trigger === 'feature_drift')!.value).toBe(Math.max(...featurePsi));
        },
      ),
    );
  });
});
