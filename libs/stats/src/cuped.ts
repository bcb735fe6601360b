import { CompensatedSum } from './compensated-sum.js';
import { type Moments, checkedMoments } from './moments.js';
import { invalidInput, requireCount, requireFinite } from './stats-error.js';

/**
 * Joint centred sufficient statistics of a metric Y and its pre-experiment covariate X (usually the
 * same metric over a window before the unit's first exposure) in one variant.
 */
export interface CovariateMoments {
  readonly n: number;
  readonly meanY: number;
  readonly meanX: number;
  /** Σ (y - meanY)². */
  readonly m2Y: number;
  /** Σ (x - meanX)². */
  readonly m2X: number;
  /** Σ (y - meanY)(x - meanX). */
  readonly comoment: number;
}

/**
 * Raw sums per variant from ClickHouse: count(), sum(y - sy), sum((y - sy)^2), sum(x - sx),
 * sum((x - sx)^2), sum((y - sy)(x - sx)). Shifts default to 0; see `MetricSums` for why to use them.
 */
export interface CovariateSums {
  readonly n: number;
  readonly sumY: number;
  readonly sumOfSquaresY: number;
  readonly sumX: number;
  readonly sumOfSquaresX: number;
  readonly sumOfProducts: number;
  readonly shiftY?: number;
  readonly shiftX?: number;
}

export interface CupedAdjustment {
  /** θ = Σ comoment / Σ m2X over the variants (the pooled within-variant slope); 0 if X is constant. */
  readonly theta: number;
  /** Mean of X over every unit of every variant: the point adjusted means are centred on. */
  readonly grandMeanX: number;
  /** 1 - Σ adjusted M2 / Σ M2 of Y: the share of within-variant variance CUPED removed (≥ 0 by construction of θ). */
  readonly varianceReduction: number;
  /** Moments of Y - θ (X - grandMeanX), in the order given: feed them to `compareMeans` or `welchTTest`. */
  readonly variants: readonly Moments[];
}

const EMPTY: CovariateMoments = Object.freeze({ n: 0, meanY: 0, meanX: 0, m2Y: 0, m2X: 0, comoment: 0 });

export function covariateMomentsFromSums(sums: CovariateSums): CovariateMoments {
  const n = requireCount(sums.n, 'n');
  const sumY = requireFinite(sums.sumY, 'sumY');
  const sumX = requireFinite(sums.sumX, 'sumX');
  const sumOfSquaresY = requireFinite(sums.sumOfSquaresY, 'sumOfSquaresY');
  const sumOfSquaresX = requireFinite(sums.sumOfSquaresX, 'sumOfSquaresX');
  const sumOfProducts = requireFinite(sums.sumOfProducts, 'sumOfProducts');
  const shiftY = requireFinite(sums.shiftY ?? 0, 'shiftY');
  const shiftX = requireFinite(sums.shiftX ?? 0, 'shiftX');
  if (sumOfSquaresY < 0 || sumOfSquaresX < 0) throw invalidInput('sums of squares must be >= 0');
  if (n === 0) return EMPTY;
  const dy = sumY / n;
  const dx = sumX / n;
  return {
    n,
    meanY: shiftY + dy,
    meanX: shiftX + dx,
    m2Y: Math.max(0, sumOfSquaresY - sumY * dy),
    m2X: Math.max(0, sumOfSquaresX - sumX * dx),
    comoment: sumOfProducts - sumY * dx,
  };
}

/** Joint moments of paired raw values (corrected two-pass with compensated sums). */
export function covariateMomentsFromValues(ys: readonly number[], xs: readonly number[]): CovariateMoments {
  if (ys.length !== xs.length) throw invalidInput(`${ys.length} metric values for ${xs.length} covariate values`);
  const n = ys.length;
  if (n === 0) return EMPTY;
  const sy = new CompensatedSum();
  const sx = new CompensatedSum();
  ys.forEach((y, i) => {
    const x = xs[i] ?? Number.NaN;
    if (!Number.isFinite(y) || !Number.isFinite(x)) throw invalidInput(`pair ${i} (${y}, ${x}) is not finite`);
    sy.add(y);
    sx.add(x);
  });
  const my = sy.value / n;
  const mx = sx.value / n;
  const dy = new CompensatedSum();
  const dx = new CompensatedSum();
  const yy = new CompensatedSum();
  const xx = new CompensatedSum();
  const xy = new CompensatedSum();
  ys.forEach((y, i) => {
    const a = y - my;
    const b = (xs[i] ?? Number.NaN) - mx;
    dy.add(a);
    dx.add(b);
    yy.add(a * a);
    xx.add(b * b);
    xy.add(a * b);
  });
  return {
    n,
    meanY: my + dy.value / n,
    meanX: mx + dx.value / n,
    m2Y: Math.max(0, yy.value - (dy.value * dy.value) / n),
    m2X: Math.max(0, xx.value - (dx.value * dx.value) / n),
    comoment: xy.value - (dy.value * dx.value) / n,
  };
}

/** Combines the joint moments of two disjoint groups (pairwise update for the co-moment too). */
export function mergeCovariateMoments(a: CovariateMoments, b: CovariateMoments): CovariateMoments {
  if (a.n === 0) return b;
  if (b.n === 0) return a;
  const n = a.n + b.n;
  const weight = (a.n * b.n) / n;
  const deltaY = b.meanY - a.meanY;
  const deltaX = b.meanX - a.meanX;
  return {
    n,
    meanY: a.meanY + deltaY * (b.n / n),
    meanX: a.meanX + deltaX * (b.n / n),
    m2Y: a.m2Y + b.m2Y + deltaY * deltaY * weight,
    m2X: a.m2X + b.m2X + deltaX * deltaX * weight,
    comoment: a.comoment + b.comoment + deltaY * deltaX * weight,
  };
}

/**
 * CUPED (Deng, Xu, Kohavi & Walker 2013): Y_adj = Y - θ (X - mean X). One θ for every variant, the
 * within-variant pooled regression slope Σ comoment / Σ m2X (ANCOVA with a variant effect), so a
 * treatment that shifts Y does not leak into θ; as X is fixed before exposure the adjustment is
 * unbiased for the lift and, for this θ, never increases the pooled within-variant variance.
 * Returned moments ignore the sampling noise of θ and of the grand mean (O(1/n), standard practice).
 */
export function cupedAdjust(variants: readonly CovariateMoments[]): CupedAdjustment {
  if (variants.length === 0) throw invalidInput('CUPED needs at least one variant');
  variants.forEach(checkCovariateMoments);
  const comoment = new CompensatedSum();
  const m2X = new CompensatedSum();
  const m2Y = new CompensatedSum();
  let all = EMPTY;
  for (const v of variants) {
    comoment.add(v.comoment);
    m2X.add(v.m2X);
    m2Y.add(v.m2Y);
    all = mergeCovariateMoments(all, v);
  }
  const theta = m2X.value > 0 ? comoment.value / m2X.value : 0;
  const grandMeanX = all.meanX;
  const adjusted = variants.map(
    (v): Moments =>
      v.n === 0
        ? { n: 0, mean: 0, m2: 0 }
        : {
            n: v.n,
            mean: v.meanY - theta * (v.meanX - grandMeanX),
            m2: Math.max(0, v.m2Y - theta * (2 * v.comoment - theta * v.m2X)),
          },
  );
  const adjustedM2 = adjusted.reduce((acc, v) => acc.add(v.m2), new CompensatedSum()).value;
  return {
    theta,
    grandMeanX,
    varianceReduction: m2Y.value > 0 ? 1 - adjustedM2 / m2Y.value : 0,
    variants: adjusted,
  };
}

function checkCovariateMoments(v: CovariateMoments, i: number): void {
  const what = `variants[${i}]`;
  checkedMoments({ n: v.n, mean: v.meanY, m2: v.m2Y }, `${what} (metric)`);
  checkedMoments({ n: v.n, mean: v.meanX, m2: v.m2X }, `${what} (covariate)`);
  requireFinite(v.comoment, `${what}.comoment`);
}
