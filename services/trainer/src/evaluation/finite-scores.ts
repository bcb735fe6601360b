/**
 * Throws unless every score is a finite number. A diverged model (e.g. a learning rate too high)
 * scores NaN, and NaN breaks the sorts behind ROC AUC and average precision without an error — they
 * returned plausible values for all-NaN scores — so no metric is computed from such scores.
 */
export function assertFiniteScores(scores: ArrayLike<number>, where: string): void {
  let bad = 0;
  let first = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i] as number)) {
      if (bad === 0) first = scores[i] as number;
      bad++;
    }
  }
  if (bad > 0) {
    throw new NonFiniteScoresError(
      `the model produced non-finite scores (${bad} of ${scores.length} ${where} rows, e.g. ${first}): training diverged — try a lower learning rate`,
    );
  }
}

export class NonFiniteScoresError extends Error {
  override readonly name = 'NonFiniteScoresError';
}
