import { benjaminiHochberg, holmBonferroni } from '@kuroshio/stats';

export const CORRECTIONS = ['none', 'bonferroni', 'holm', 'benjamini_hochberg'] as const;
export type Correction = (typeof CORRECTIONS)[number];

/**
 * Adjusted p-values in input order. Holm and Benjamini–Hochberg come from @kuroshio/stats; plain
 * Bonferroni (min(1, m p)) is not there, so it is here — one line, kept next to the dispatch.
 */
export function adjustPValues(pValues: readonly number[], correction: Correction): number[] {
  switch (correction) {
    case 'none':
      return [...pValues];
    case 'bonferroni':
      return pValues.map((p) => Math.min(1, p * pValues.length));
    case 'holm':
      return holmBonferroni(pValues);
    case 'benjamini_hochberg':
      return benjaminiHochberg(pValues);
  }
}
