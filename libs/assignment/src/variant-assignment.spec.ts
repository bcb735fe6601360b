import { readFileSync } from 'node:fs';
import { chiSquareSurvival, sampleRatioMismatch } from '@kuroshio/stats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketIndexOf, bucketOf } from './bucket.js';
import { type ExperimentAssignmentPlan, assignVariant, checkPlan } from './variant-assignment.js';

const golden: { experiments: { experiment: ExperimentAssignmentPlan; assignments: Record<string, string | null> }[] } =
  JSON.parse(readFileSync(new URL('../fixtures/golden.json', import.meta.url), 'utf8'));

// Statistical tests run on fixed unit ids, so each is deterministic: it either always passes or
// always fails. The threshold (p < 0.001) is the SRM alarm level.
const UNITS = Array.from({ length: 100_000 }, (_, i) => `customer-${i.toString(36)}`);
const ALPHA = 0.001;

describe('assignVariant golden values (Python)', () => {
  it.each(golden.experiments.map((g) => [g.experiment.key, g] as const))('%s', (_key, { experiment, assignments }) => {
    for (const [unitId, variant] of Object.entries(assignments)) {
      expect(assignVariant(experiment, unitId), unitId).toBe(variant);
    }
  });
});

describe('statistical behaviour over 100,000 units', () => {
  it('buckets are uniform: chi-square over 100 equal bins', () => {
    const counts = new Array<number>(100).fill(0);
    for (const unit of UNITS) counts[bucketIndexOf('uniformity', 's1', unit, 100)]!++;
    const result = sampleRatioMismatch(counts, new Array<number>(100).fill(1));
    expect(result.pValue, `chi-square ${result.statistic} on 99 df`).toBeGreaterThan(ALPHA);
  });

  it('the test has power: a skewed bucket (u^1.05) fails it', () => {
    const counts = new Array<number>(100).fill(0);
    for (const unit of UNITS) counts[Math.floor(bucketOf('uniformity', 's1', unit) ** 1.05 * 100)]!++;
    expect(sampleRatioMismatch(counts, new Array<number>(100).fill(1)).pValue).toBeLessThan(ALPHA);
  });

  it('weighted variants and traffic allocation get their planned shares', () => {
    const experiment: ExperimentAssignmentPlan = {
      key: 'weights',
      salt: '2026',
      variants: [
        { name: 'control', weight: 0.5 },
        { name: 'a', weight: 0.3 },
        { name: 'b', weight: 0.2 },
      ],
      trafficAllocation: 0.4,
    };
    const counts = new Map<string | null, number>();
    for (const unit of UNITS) {
      const v = assignVariant(experiment, unit);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const observed = ['control', 'a', 'b', null].map((v) => counts.get(v) ?? 0);
    const result = sampleRatioMismatch(observed, [0.5 * 0.4, 0.3 * 0.4, 0.2 * 0.4, 0.6]);
    expect(result.pValue, JSON.stringify(observed)).toBeGreaterThan(ALPHA);
  });

  it('two experiments assign independently: chi-square test of independence on 10 x 10 buckets', () => {
    const table = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
    for (const unit of UNITS) table[bucketIndexOf('exp-a', 's', unit, 10)]![bucketIndexOf('exp-b', 's', unit, 10)]!++;
    const { statistic, df } = independence(table);
    expect(chiSquareSurvival(statistic, df), `chi-square ${statistic} on ${df} df`).toBeGreaterThan(ALPHA);
  });

  it('the independence test has power: the same key under two names is caught', () => {
    const table = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
    for (const unit of UNITS) {
      const a = bucketIndexOf('exp-a', 's', unit, 10);
      // Correlated: the second "experiment" copies the first for a tenth of the units.
      const b = unit.endsWith('7') ? a : bucketIndexOf('exp-b', 's', unit, 10);
      table[a]![b]!++;
    }
    const { statistic, df } = independence(table);
    expect(chiSquareSurvival(statistic, df)).toBeLessThan(ALPHA);
  });
});

/** Pearson's chi-square test of independence for a contingency table. */
function independence(table: number[][]): { statistic: number; df: number } {
  const rows = table.map((r) => r.reduce((a, b) => a + b, 0));
  const cols = table[0]!.map((_, j) => table.reduce((a, r) => a + r[j]!, 0));
  const n = rows.reduce((a, b) => a + b, 0);
  let statistic = 0;
  table.forEach((r, i) =>
    r.forEach((observed, j) => {
      const expected = (rows[i]! * cols[j]!) / n;
      statistic += (observed - expected) ** 2 / expected;
    }),
  );
  return { statistic, df: (rows.length - 1) * (cols.length - 1) };
}

const variants = fc
  .uniqueArray(fc.record({ name: fc.string({ minLength: 1, maxLength: 8 }), weight: fc.double({ min: 0, max: 100, noNaN: true }) }), {
    minLength: 1,
    maxLength: 6,
    selector: (v) => v.name,
  })
  .filter((vs) => vs.reduce((a, v) => a + v.weight, 0) >= 2 ** -1022);
const plan = fc.record({
  key: fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !s.includes('\u0000')),
  salt: fc.string({ maxLength: 8 }).filter((s) => !s.includes('\u0000')),
  variants,
  trafficAllocation: fc.double({ min: 0, max: 1, noNaN: true }),
});
const unitId = fc.string({ minLength: 1, maxLength: 20 });

describe('assignVariant properties', () => {
  it('is deterministic and returns a variant with a positive weight, or null', () => {
    fc.assert(
      fc.property(plan, unitId, (experiment, unit) => {
        const v = assignVariant(experiment, unit);
        expect(assignVariant(experiment, unit)).toBe(v);
        if (v !== null) expect(experiment.variants.find((x) => x.name === v)!.weight).toBeGreaterThan(0);
      }),
    );
  });

  it('ramping the allocation up keeps every unit that was in, in the same variant', () => {
    fc.assert(
      fc.property(plan, fc.double({ min: 0, max: 1, noNaN: true }), unitId, (experiment, more, unit) => {
        const before = assignVariant(experiment, unit);
        const higher = experiment.trafficAllocation + (1 - experiment.trafficAllocation) * more;
        const after = assignVariant({ ...experiment, trafficAllocation: higher }, unit);
        if (before !== null) expect(after).toBe(before);
      }),
    );
  });

  it('allocation 1 assigns every unit; allocation 0 none', () => {
    fc.assert(
      fc.property(plan, unitId, (experiment, unit) => {
        expect(assignVariant({ ...experiment, trafficAllocation: 1 }, unit)).not.toBeNull();
        expect(assignVariant({ ...experiment, trafficAllocation: 0 }, unit)).toBeNull();
      }),
    );
  });

  it('the scale of the weights does not matter', () => {
    fc.assert(
      fc.property(plan, unitId, fc.integer({ min: 1, max: 20 }), (experiment, unit, shift) => {
        // Powers of two scale exactly, so boundaries do not move by a rounding.
        const scaled = experiment.variants.map((v) => ({ ...v, weight: v.weight * 2 ** shift }));
        expect(assignVariant({ ...experiment, variants: scaled }, unit)).toBe(assignVariant(experiment, unit));
      }),
    );
  });
});

describe('invalid plans', () => {
  const base: ExperimentAssignmentPlan = { key: 'k', salt: 's', variants: [{ name: 'a', weight: 1 }] };
  it.each([
    [{ ...base, variants: [] }, /at least one variant/],
    [{ ...base, variants: [{ name: 'a', weight: 0 }] }, /sum to a finite number above 0/],
    [{ ...base, variants: [{ name: 'a', weight: 5e-324 }] }, /sum to a finite number above 0/],
    [{ ...base, variants: [{ name: 'a', weight: -1 }] }, /weight must be/],
    [{ ...base, variants: [{ name: 'a', weight: Number.NaN }] }, /weight must be/],
    [{ ...base, variants: [{ name: 'a', weight: 1 }, { name: 'a', weight: 1 }] }, /duplicate variant a/],
    [{ ...base, variants: [{ name: '', weight: 1 }] }, /non-empty/],
    [{ ...base, trafficAllocation: 1.5 }, /trafficAllocation/],
    [{ ...base, key: '' }, /experiment key/],
    [{ ...base, salt: 'a\u0000' }, /NUL/],
  ])('refuses %j', (experiment, message) => {
    expect(() => checkPlan(experiment)).toThrow(message);
    expect(() => assignVariant(experiment, 'unit-1')).toThrow(expect.objectContaining({ code: 'invalid-experiment' }));
  });
});
