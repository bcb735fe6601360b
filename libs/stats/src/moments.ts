import { CompensatedSum } from './compensated-sum.js';
import { StatsError, invalidInput, requireCount, requireFinite } from './stats-error.js';

/**
 * Centred sufficient statistics of one metric in one variant: the count, the mean and the sum of
 * squared deviations from the mean (Welford's M2). Kept centred because that is what merges and
 * subtracts without cancellation; build them with one of the `momentsFrom*` functions.
 */
export interface Moments {
  readonly n: number;
  readonly mean: number;
  /** Σ (x - mean)², ≥ 0. */
  readonly m2: number;
}

/**
 * Raw sums, e.g. `count()`, `sum(x - s)`, `sum((x - s) * (x - s))` from ClickHouse.
 * `shift` (default 0) is the constant s subtracted from every value before summing. The variance
 * from raw sums is Σx² - (Σx)²/n, which loses about log10(mean² / variance) digits; with a shift
 * close to the mean (a round prior estimate will do) that loss disappears. See ADR 0018.
 */
export interface MetricSums {
  readonly n: number;
  readonly sum: number;
  readonly sumOfSquares: number;
  readonly shift?: number;
}

/** Summary of one variant. */
export interface VariantSummary {
  readonly n: number;
  readonly mean: number;
  /** Sample variance (n - 1 in the denominator). */
  readonly variance: number;
  readonly standardDeviation: number;
  /** Standard error of the mean: sqrt(variance / n). */
  readonly standardError: number;
}

export const EMPTY_MOMENTS: Moments = Object.freeze({ n: 0, mean: 0, m2: 0 });

/** Checks moments built by hand (e.g. decoded from a cache). */
export function checkedMoments(moments: Moments, what = 'moments'): Moments {
  requireCount(moments.n, `${what}.n`);
  requireFinite(moments.mean, `${what}.mean`);
  requireFinite(moments.m2, `${what}.m2`);
  if (moments.m2 < 0) throw invalidInput(`${what}.m2 must be >= 0, got ${moments.m2}`);
  if (moments.n === 0 && (moments.mean !== 0 || moments.m2 !== 0)) {
    throw invalidInput(`${what}: n = 0 needs mean = 0 and m2 = 0`);
  }
  return moments;
}

/**
 * Moments from raw (optionally shifted) sums. A tiny negative M2 left by rounding (all values
 * equal) is clamped to 0. n = 0 gives the empty moments.
 */
export function momentsFromSums(sums: MetricSums): Moments {
  const n = requireCount(sums.n, 'n');
  const sum = requireFinite(sums.sum, 'sum');
  const sumOfSquares = requireFinite(sums.sumOfSquares, 'sumOfSquares');
  const shift = requireFinite(sums.shift ?? 0, 'shift');
  if (sumOfSquares < 0) throw invalidInput(`sumOfSquares must be >= 0, got ${sumOfSquares}`);
  if (n === 0) {
    if (sum !== 0 || sumOfSquares !== 0) throw invalidInput('n = 0 needs sum = 0 and sumOfSquares = 0');
    return EMPTY_MOMENTS;
  }
  const shiftedMean = sum / n;
  return { n, mean: shift + shiftedMean, m2: Math.max(0, sumOfSquares - sum * shiftedMean) };
}

/** Moments from a mean and a sample variance (e.g. ClickHouse `avg(x)`, `varSampStable(x)`). */
export function momentsFromMeanVariance(n: number, mean: number, variance: number): Moments {
  requireCount(n, 'n');
  requireFinite(mean, 'mean');
  requireFinite(variance, 'variance');
  if (variance < 0) throw invalidInput(`variance must be >= 0, got ${variance}`);
  if (n === 0) return EMPTY_MOMENTS;
  if (n === 1 && variance !== 0) throw invalidInput('one value has no sample variance; pass 0');
  return { n, mean, m2: variance * (n - 1) };
}

/**
 * Moments of raw values by the corrected two-pass algorithm with compensated sums (Chan, Golub &
 * LeVeque 1983): exact to a few ulps even for values with a large common offset.
 */
export function momentsFromValues(values: readonly number[]): Moments {
  const n = values.length;
  if (n === 0) return EMPTY_MOMENTS;
  const total = new CompensatedSum();
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) throw invalidInput(`values[${i}] must be a finite number, got ${v}`);
    total.add(v);
  });
  const firstMean = total.value / n;
  const deviations = new CompensatedSum();
  const squares = new CompensatedSum();
  for (const v of values) {
    const d = v - firstMean;
    deviations.add(d);
    squares.add(d * d);
  }
  const d = deviations.value;
  return { n, mean: firstMean + d / n, m2: Math.max(0, squares.value - (d * d) / n) };
}

/** Combines the moments of two disjoint groups (Chan et al.'s parallel update); associative. */
export function mergeMoments(a: Moments, b: Moments): Moments {
  if (a.n === 0) return b;
  if (b.n === 0) return a;
  const n = a.n + b.n;
  const delta = b.mean - a.mean;
  return {
    n,
    mean: a.mean + delta * (b.n / n),
    m2: a.m2 + b.m2 + delta * delta * ((a.n * b.n) / n),
  };
}

/** Mean, sample variance and standard error of one variant. Needs n >= 2. */
export function summarize(moments: Moments): VariantSummary {
  checkedMoments(moments);
  const { n, mean } = moments;
  if (n < 2) {
    throw new StatsError('insufficient-data', `a sample variance needs at least 2 units, got ${n}`);
  }
  const variance = moments.m2 / (n - 1);
  return {
    n,
    mean,
    variance,
    standardDeviation: Math.sqrt(variance),
    standardError: Math.sqrt(variance / n),
  };
}
