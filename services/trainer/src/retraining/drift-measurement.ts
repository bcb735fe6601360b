import { histogram, populationStabilityIndex } from '@kuroshio/stats';
import type { BinnedDistribution } from './drift-reference.js';

/** The PSI of one feature (`<view>:<feature>`) or of the score between its reference and recent values. */
export interface DriftMeasurement {
  readonly name: string;
  readonly psi: number;
  readonly referenceCount: number;
  readonly recentCount: number;
}

/**
 * Bins the recent values on the reference's cut points, missing values (NaN) in a bin of their own
 * on both sides — a feature that stops arriving online is drift too — and compares the shares.
 */
export function measureDrift(name: string, reference: BinnedDistribution, recent: ArrayLike<number>): DriftMeasurement {
  const now = histogram(recent, reference.cutPoints);
  const psi = populationStabilityIndex([...reference.counts, reference.missing], [...now.counts, now.missing]);
  return {
    name,
    psi: psi.value,
    referenceCount: reference.counts.reduce((sum, c) => sum + c, reference.missing),
    recentCount: recent.length,
  };
}
