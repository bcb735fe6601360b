import { compareMeans, holmBonferroni, momentsFromValues, sampleRatioMismatch, twoProportionZTest } from '@kuroshio/stats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExperimentSpec, MetricSpec } from '../domain/experiment-definition.js';
import { computeResults, type AnalysisSettings } from './experiment-results.js';
import type { StatisticsRow } from './variant-sums.js';

const metric = (key: string, kind: MetricSpec['kind'], cuped = false): MetricSpec => ({
  key, description: '', kind, event: 'e', property: kind === 'sum' ? 'amount' : '', filters: [], windowMs: null, role: 'primary', direction: 'increase', cupedLookbackMs: cuped ? 86_400_000 : null,
});
const spec: ExperimentSpec = {
  key: 'exp', hypothesis: 'h', description: '', owner: '', unit: 'customer', salt: 's',
  variants: [
    { key: 'b', description: '', weight: 1, control: false, model: null },
    { key: 'a', description: '', weight: 1, control: true, model: null },
  ],
  targeting: { traitFilters: [], trafficFraction: 1 },
  metrics: [metric('conv', 'conversion'), metric('rev', 'sum')],
};
const settings: AnalysisSettings = { alpha: 0.05, correction: 'holm', disableCuped: false, includeCumulative: true, srmThreshold: 0.001, asOfMs: 10 * 86_400_000, computedAtMs: 0, windowStartMs: 0 };

/** Rows (one per variant and day) from per-unit values [variant, day, conv, rev]. */
function rowsOf(units: ReadonlyArray<[string, number, number, number]>): StatisticsRow[] {
  const rows = new Map<string, StatisticsRow & { metrics: { sum: number; sumOfSquares: number; sumX: number; sumOfSquaresX: number; sumOfProducts: number }[] }>();
  for (const [variant, day, conv, rev] of units) {
    const id = `${variant}/${day}`;
    const row = rows.get(id) ?? { variant, day, units: 0, metrics: [0, 1].map(() => ({ sum: 0, sumOfSquares: 0, sumX: 0, sumOfSquaresX: 0, sumOfProducts: 0 })) };
    rows.set(id, { ...row, units: row.units + 1 });
    [conv, rev].forEach((y, i) => {
      const m = row.metrics[i]!;
      row.metrics[i] = { ...m, sum: m.sum + y, sumOfSquares: m.sumOfSquares + y * y };
    });
    rows.set(id, { ...rows.get(id)!, metrics: row.metrics });
  }
  return [...rows.values()];
}

const unit = fc.tuple(fc.constantFrom('a', 'b'), fc.integer({ min: 0, max: 6 }), fc.constantFrom(0, 1), fc.integer({ min: 0, max: 500 }));

describe('computeResults', () => {
  it('equals @kuroshio/stats on the same per-unit values, whatever the split into days (property)', () => {
    fc.assert(
      fc.property(fc.array(unit, { minLength: 8, maxLength: 200 }), (units) => {
        const a = units.filter((u) => u[0] === 'a');
        const b = units.filter((u) => u[0] === 'b');
        fc.pre(a.length >= 2 && b.length >= 2);
        const r = computeResults(spec, rowsOf(units), settings);
        expect(r.controlVariant).toBe('a');
        expect(r.metrics[0]!.variants.map((v) => v.variant)).toEqual(['a', 'b']);
        const z = twoProportionZTest({ exposures: a.length, conversions: a.filter((u) => u[2]).length }, { exposures: b.length, conversions: b.filter((u) => u[2]).length });
        const conv = r.metrics[0]!.comparisons[0]!;
        expect(conv.pValue).toBeCloseTo(z.absolute.pValue, 9);
        expect(conv.absoluteLift).toBeCloseTo(z.absolute.estimate, 12);
        const t = compareMeans(momentsFromValues(a.map((u) => u[3])), momentsFromValues(b.map((u) => u[3])));
        const rev = r.metrics[1]!.comparisons[0]!;
        if (Number.isFinite(t.absolute.statistic)) expect(rev.statistic).toBeCloseTo(t.absolute.statistic, 6);
        expect(r.metrics[1]!.variants[1]!.mean).toBeCloseTo(t.treatment.mean, 9);
        expect([conv.adjustedPValue, rev.adjustedPValue]).toEqual(holmBonferroni([conv.pValue, rev.pValue]));
        expect(r.sampleRatio.chiSquare).toBeCloseTo(sampleRatioMismatch([a.length, b.length], [1, 1]).statistic, 9);
      }),
    );
  });

  it('reports no comparison with fewer than 2 units, and no SRM verdict without units', () => {
    const empty = computeResults(spec, [], settings);
    expect(empty.sampleRatio).toMatchObject({ mismatch: false, pValue: 1 });
    expect(empty.metrics[1]!.comparisons).toEqual([]);
    expect(empty.metrics[1]!.notComparable).toEqual(['b']);
  });

  it('calls a significant drop in a decrease-is-better metric an improvement', () => {
    const down: ExperimentSpec = { ...spec, metrics: [{ ...metric('calls', 'count'), direction: 'decrease', role: 'guardrail' }] };
    const units: [string, number, number, number][] = Array.from({ length: 400 }, (_, i) => [i % 2 ? 'a' : 'b', 0, i % 2 ? 3 + (i % 3) : 1 + (i % 3), 0]);
    const rows = rowsOf(units.map(([v, d, c]) => [v, d, c, 0])).map((row) => ({ ...row, metrics: [row.metrics[0]!] }));
    const r = computeResults(down, rows, { ...settings, correction: 'bonferroni' });
    expect(r.metrics[0]!.comparisons[0]).toMatchObject({ significant: true, outcome: 'improved', test: 'welch_t' });
  });
});
