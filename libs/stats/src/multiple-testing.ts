import { invalidInput } from './stats-error.js';

/**
 * Holm–Bonferroni adjusted p-values (step-down; controls the family-wise error rate), in input
 * order: with p sorted ascending, adj(i) = max over j <= i of min(1, (m - j + 1) p(j)). Reject
 * where adj < alpha. Same values as statsmodels `multipletests(method='holm')`.
 */
export function holmBonferroni(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const adjusted = new Array<number>(m);
  let running = 0;
  ascending(pValues).forEach(({ p, index }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[index] = running;
  });
  return adjusted;
}

/**
 * Benjamini–Hochberg adjusted p-values (step-up; controls the false discovery rate for independent
 * or positively dependent tests), in input order: with p sorted ascending,
 * adj(i) = min over j >= i of min(1, m p(j) / j). Same values as `multipletests(method='fdr_bh')`.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const adjusted = new Array<number>(m);
  ascending(pValues).reduceRight((running, { p, index }, rank) => {
    // m / (rank + 1) >= 1, so the max only undoes a rounding below p.
    const next = Math.min(running, Math.max(p, (m * p) / (rank + 1)));
    adjusted[index] = next;
    return next;
  }, 1);
  return adjusted;
}

function ascending(pValues: readonly number[]): { p: number; index: number }[] {
  return pValues
    .map((p, index) => {
      if (!(p >= 0 && p <= 1)) throw invalidInput(`pValues[${index}] must be in [0, 1], got ${p}`);
      return { p, index };
    })
    .sort((a, b) => a.p - b.p || a.index - b.index);
}
