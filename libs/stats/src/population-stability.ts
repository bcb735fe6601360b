import { CompensatedSum } from './compensated-sum.js';
import { StatsError, invalidInput, requireCount, requireFinite } from './stats-error.js';

/**
 * Proportion that stands in for an empty bin: ln(p/q) is undefined at 0. 1e-4 is the usual choice
 * (e.g. Evidently's PSI); a bin empty on one side and holding share q on the other then adds
 * about q · ln(q / 1e-4), so new values outside the reference's range show up as drift.
 */
export const DEFAULT_PSI_EMPTY_BIN_SHARE = 1e-4;

/** Conventional reading: below 0.1 stable, 0.1 to 0.2 a moderate shift, 0.2 and above a significant one. */
export const DEFAULT_PSI_THRESHOLD = 0.2;

export interface PopulationStability {
  /** Σ (actual share − expected share) · ln(actual share / expected share) over the bins. */
  readonly value: number;
  /** Each bin's term, in bin order; every term is ≥ 0. */
  readonly contributions: readonly number[];
}

/**
 * Population stability index between a reference histogram (`expected`, e.g. the training set) and
 * a recent one (`actual`) over the same bins. Counts are turned into shares; a share of 0 is
 * replaced by `emptyBinShare`. The index is symmetric in its two arguments, 0 for identical shares,
 * and independent of the sample sizes. Throws `invalid-input` for mismatched or fewer than 2 bins
 * and negative or non-integer counts, `insufficient-data` when either side has no values.
 */
export function populationStabilityIndex(
  expected: readonly number[],
  actual: readonly number[],
  options?: { readonly emptyBinShare?: number },
): PopulationStability {
  const floor = options?.emptyBinShare ?? DEFAULT_PSI_EMPTY_BIN_SHARE;
  if (!(floor > 0 && floor < 1)) throw invalidInput(`emptyBinShare must be in (0, 1), got ${floor}`);
  if (expected.length !== actual.length) throw invalidInput(`${expected.length} expected bins against ${actual.length} actual bins`);
  if (expected.length < 2) throw invalidInput('a population stability index needs at least 2 bins');
  const expectedTotal = expected.reduce((sum, c, i) => sum + requireCount(c, `expected[${i}]`), 0);
  const actualTotal = actual.reduce((sum, c, i) => sum + requireCount(c, `actual[${i}]`), 0);
  if (expectedTotal === 0) throw new StatsError('insufficient-data', 'the expected histogram has no values');
  if (actualTotal === 0) throw new StatsError('insufficient-data', 'the actual histogram has no values');
  const total = new CompensatedSum();
  const contributions = expected.map((e, i) => {
    const p = e === 0 ? floor : e / expectedTotal;
    const a = actual[i] as number;
    const q = a === 0 ? floor : a / actualTotal;
    const term = (q - p) * Math.log(q / p);
    total.add(term);
    return term;
  });
  return { value: total.value, contributions };
}

/**
 * Interior cut points that split the finite `values` into about `bins` equally filled bins:
 * the value at position ⌊i·n/bins⌋ of the sorted values for i = 1 … bins − 1, without repeats and
 * without the minimum (a bin below the smallest reference value would be empty by construction).
 * Ties make fewer bins: a feature that is mostly 0 gets a bin for 0 and the rest above it. NaN
 * (missing) values are ignored; `histogram` counts them apart. No finite values: no cut points.
 */
export function quantileCutPoints(values: ArrayLike<number>, bins = 10): number[] {
  if (!Number.isSafeInteger(bins) || bins < 2) throw invalidInput(`bins must be an integer of at least 2, got ${bins}`);
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (Number.isNaN(value)) continue;
    finite.push(requireFinite(value, `values[${i}]`));
  }
  if (finite.length === 0) return [];
  finite.sort((a, b) => a - b);
  const min = finite[0] as number;
  const cuts: number[] = [];
  for (let i = 1; i < bins; i++) {
    const cut = finite[Math.floor((i * finite.length) / bins)] as number;
    if (cut > min && cut !== cuts[cuts.length - 1]) cuts.push(cut);
  }
  return cuts;
}

export interface Histogram {
  /** Values per bin: bin 0 is below the first cut point, bin k holds [cut k−1, cut k), the last is ≥ the last cut point. */
  readonly counts: number[];
  /** NaN values (missing), counted apart. */
  readonly missing: number;
}

/** Counts `values` into the bins `cutPoints` (strictly increasing) define, plus the missing ones. */
export function histogram(values: ArrayLike<number>, cutPoints: readonly number[]): Histogram {
  cutPoints.forEach((cut, i) => {
    requireFinite(cut, `cutPoints[${i}]`);
    if (i > 0 && !(cut > (cutPoints[i - 1] as number))) throw invalidInput('cut points must be strictly increasing');
  });
  const counts = new Array<number>(cutPoints.length + 1).fill(0);
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (Number.isNaN(value)) {
      missing++;
      continue;
    }
    const bin = binOf(value, cutPoints);
    counts[bin] = (counts[bin] as number) + 1;
  }
  return { counts, missing };
}

/** Number of cut points ≤ value (binary search). */
function binOf(value: number, cutPoints: readonly number[]): number {
  let low = 0;
  let high = cutPoints.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((cutPoints[middle] as number) <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}
