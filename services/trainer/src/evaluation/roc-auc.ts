/**
 * Area under the ROC curve from ranks (the Mann–Whitney U statistic divided by n⁺·n⁻): the chance
 * that a random positive scores above a random negative, ties counting one half. NaN when either
 * class is absent. O(n log n). Scores must be finite (RangeError otherwise: NaN cannot be ranked).
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkSameLength(labels, scores);
  checkFinite(scores);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1] as number] === scores[order[start] as number]) end++;
    // Ranks start..end (1-based: start+1..end+1) share their average.
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if ((labels[order[k] as number] as number) > 0.5) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export function checkFinite(scores: ArrayLike<number>): void {
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i] as number)) throw new RangeError(`score ${i} is ${scores[i]}: ranking metrics need finite scores`);
  }
}

export function checkSameLength(labels: ArrayLike<number>, scores: ArrayLike<number>): void {
  if (labels.length !== scores.length) throw new RangeError(`${labels.length} labels but ${scores.length} scores`);
}
