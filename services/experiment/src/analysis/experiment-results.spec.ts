import { compareMeans, holmBonferroni, momentsFromValues, sampleRatioMismatch, twoProportionZTest } from '@kuroshio/stats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExperimentSpec, MetricSpec } from '../domain/experiment-definition.js';
import { computeResults, type AnalysisSettings } from './experiment-results.js';
import type { MetricSums, StatisticsRow } from './variant-sums.js';

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

type Unit = readonly [variant: string, day: number, conv: number, rev: number, convCounted?: boolean, severalVariants?: boolean];

/**
 * Rows (one per variant and day) from per-unit values, as the statistics query forms them: every
 * unit in `units`, a unit whose conversion window is still open (convCounted false) out of
 * metric 0's n and sums.
 */
function rowsOf(units: readonly Unit[]): StatisticsRow[] {
  const rows = new Map<string, { variant: string; day: number; units: number; multipleVariantUnits: number; metrics: MetricSums[] }>();
  for (const [variant, day, conv, rev, convCounted = true, several = false] of units) {
    const id = `${variant}/${day}`;
    const row = rows.get(id) ?? { variant, day, units: 0, multipleVariantUnits: 0, metrics: [0, 1].map(() => ({ units: 0, sum: 0, sumOfSquares: 0, sumX: 0, sumOfSquaresX: 0, sumOfProducts: 0 })) };
    rows.set(id, row);
    row.units += 1;
    if (several) row.multipleVariantUnits += 1;
    [conv, rev].forEach((y, i) => {
      if (i === 0 && !convCounted) return;
      const m = row.metrics[i]!;
      row.metrics[i] = { ...m, units: m.units + 1, sum: m.sum + y, sumOfSquares: m.sumOfSquares + y * y };
    });
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
    const units: Unit[] = Array.from({ length: 400 }, (_, i) => [i % 2 ? 'a' : 'b', 0, i % 2 ? 3 + (i % 3) : 1 + (i % 3), 0]);
    const rows = rowsOf(units.map(([v, d, c]): Unit => [v, d, c, 0])).map((row) => ({ ...row, metrics: [row.metrics[0]!] }));
    const r = computeResults(down, rows, { ...settings, correction: 'bonferroni' });
    expect(r.metrics[0]!.comparisons[0]).toMatchObject({ significant: true, outcome: 'improved', test: 'welch_t' });
  });
});

describe('computeResults with units whose metric window is still open', () => {
  it('compares a metric on the units it counts, and checks the split on every unit (property)', () => {
    const maybeOpen = fc.tuple(fc.constantFrom('a', 'b'), fc.integer({ min: 0, max: 6 }), fc.constantFrom(0, 1), fc.integer({ min: 0, max: 500 }), fc.boolean());
    fc.assert(
      fc.property(fc.array(maybeOpen, { minLength: 8, maxLength: 200 }), (units) => {
        const arm = (v: string) => units.filter((u) => u[0] === v);
        const counted = (v: string) => arm(v).filter((u) => u[4]);
        fc.pre(counted('a').length >= 2 && counted('b').length >= 2);
        const r = computeResults(spec, rowsOf(units), settings);
        const z = twoProportionZTest({ exposures: counted('a').length, conversions: counted('a').filter((u) => u[2]).length }, { exposures: counted('b').length, conversions: counted('b').filter((u) => u[2]).length });
        const conv = r.metrics[0]!;
        expect(conv.variants.map((v) => v.units)).toEqual([counted('a').length, counted('b').length]);
        expect(conv.comparisons[0]!.pValue).toBeCloseTo(z.absolute.pValue, 9);
        expect(conv.comparisons[0]!.absoluteLift).toBeCloseTo(z.absolute.estimate, 12);
        const last = conv.comparisons[0]!.cumulative.at(-1);
        if (last !== undefined) expect(last.units).toBe(counted('a').length + counted('b').length);
        // The metric without a window counts every unit, and so does the SRM check.
        expect(r.metrics[1]!.variants.map((v) => v.units)).toEqual([arm('a').length, arm('b').length]);
        expect(r.sampleRatio.allocations.map((a) => a.units)).toEqual([arm('a').length, arm('b').length]);
        expect(r.sampleRatio.chiSquare).toBeCloseTo(sampleRatioMismatch([arm('a').length, arm('b').length], [1, 1]).statistic, 9);
      }),
    );
  });
});

describe('computeResults with exposures the definition cannot explain', () => {
  const balanced: Unit[] = Array.from({ length: 200 }, (_, i) => [i % 2 ? 'a' : 'b', i % 3, i % 5 === 0 ? 1 : 0, i]);

  it('reports no anomaly when every unit was exposed under one known variant', () => {
    expect(computeResults(spec, rowsOf(balanced), settings).sampleRatio).toMatchObject({ unknownVariantUnits: 0, multipleVariantUnits: 0, exposureAnomaly: false, mismatch: false });
  });

  it('counts and flags units first exposed under an unknown variant, beside a chi-square that cannot see them', () => {
    const ghosts: Unit[] = [['ghost', 0, 1, 5], ['ghost', 2, 0, 0], ['', 1, 0, 0]];
    const r = computeResults(spec, rowsOf([...balanced, ...ghosts]), settings);
    expect(r.sampleRatio).toMatchObject({ unknownVariantUnits: 3, multipleVariantUnits: 0, exposureAnomaly: true, mismatch: false });
    expect(r.sampleRatio.allocations.map((a) => a.units)).toEqual([100, 100]);
    expect(r.metrics[1]!.variants.map((v) => v.units)).toEqual([100, 100]);
  });

  it('counts and flags units exposed under more than one variant, wherever their first exposure put them', () => {
    const switched = balanced.map((u, i): Unit => (i < 3 ? [u[0], u[1], u[2], u[3], true, true] : u));
    const withGhost: Unit[] = [...switched, ['ghost', 0, 0, 0, true, true]];
    expect(computeResults(spec, rowsOf(withGhost), settings).sampleRatio).toMatchObject({ unknownVariantUnits: 1, multipleVariantUnits: 4, exposureAnomaly: true });
  });
});
