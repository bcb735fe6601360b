import { AssignmentError } from './assignment-error.js';
import { bucketOfCheckedKey, checkHashPart } from './bucket.js';

const MIN_NORMAL = 2 ** -1022;

export interface VariantWeight {
  readonly name: string;
  /** Relative share, any non-negative scale ([50, 50] and [1, 1] are the same split); 0 turns a variant off. */
  readonly weight: number;
}

export interface ExperimentAssignmentPlan {
  readonly key: string;
  readonly salt: string;
  readonly variants: readonly VariantWeight[];
  /** Fraction of units in the experiment, in [0, 1]; 1 when omitted. */
  readonly trafficAllocation?: number;
}

/**
 * The variant a unit sees, or null when the unit is outside the experiment's traffic allocation.
 *
 * With u = bucketOf(key, salt, unitId), weights w_i summing to W, c_i = w_0 + … + w_(i-1) and
 * allocation a, the unit gets the first variant i with c_i <= u·W < c_i + a·w_i (IEEE doubles,
 * sums left to right: other languages reproduce it bit for bit; the golden values in fixtures/ are
 * computed with Python). So each variant gets a·w_i/W of all units, and raising the allocation
 * only adds units: everyone already in keeps their variant (ramping 5% → 50% → 100% is safe).
 * Changing weights, the order of the variants or the salt reshuffles units: do that only with a
 * new salt and a fresh analysis.
 */
export function assignVariant(experiment: ExperimentAssignmentPlan, unitId: string): string | null {
  const allocation = checkPlan(experiment);
  const { variants } = experiment;
  let total = 0;
  for (const v of variants) total += v.weight;
  const point = bucketOfCheckedKey(experiment.key, experiment.salt, unitId) * total;
  let cumulative = 0;
  for (const v of variants) {
    if (point >= cumulative && point < cumulative + allocation * v.weight) return v.name;
    cumulative += v.weight;
  }
  return null;
}

/** Checks a definition once (e.g. when it is saved); `assignVariant` checks it on every call too. */
export function checkPlan(experiment: ExperimentAssignmentPlan): number {
  checkHashPart(experiment.key, 'experiment key', false);
  checkHashPart(experiment.salt, 'salt', true);
  const allocation = experiment.trafficAllocation ?? 1;
  if (!(allocation >= 0 && allocation <= 1)) {
    throw new AssignmentError('invalid-experiment', `trafficAllocation must be in [0, 1], got ${allocation}`);
  }
  const { variants } = experiment;
  if (!Array.isArray(variants) || variants.length === 0) {
    throw new AssignmentError('invalid-experiment', 'an experiment needs at least one variant');
  }
  let total = 0;
  const names = new Set<string>();
  for (const v of variants) {
    if (typeof v.name !== 'string' || v.name === '') throw new AssignmentError('invalid-experiment', 'variant names must be non-empty');
    if (names.has(v.name)) throw new AssignmentError('invalid-experiment', `duplicate variant ${v.name}`);
    names.add(v.name);
    if (!(Number.isFinite(v.weight) && v.weight >= 0)) {
      throw new AssignmentError('invalid-experiment', `variant ${v.name}: weight must be a finite number >= 0`);
    }
    total += v.weight;
  }
  // A subnormal sum would let u·W round up to W and drop units at allocation 1.
  if (!(total >= MIN_NORMAL) || !Number.isFinite(total)) {
    throw new AssignmentError('invalid-experiment', 'variant weights must sum to a finite number above 0');
  }
  return allocation;
}
