/**
 * How rows are divided by observation time (label_time_ms). `embargoMs`: how long after its
 * observation a row's label is decided (e.g. the label's outcome window); a training or validation row
 * whose label is decided at or after the start of the next split is dropped. Unset: the job takes it
 * from the training set's label definition (label-embargo.ts); 0: no embargo.
 */
export type SplitRule = (
  | { readonly kind: 'fractions'; readonly validation: number; readonly test: number }
  | { readonly kind: 'times'; readonly validationStartMs: number; readonly testStartMs: number }
) & { readonly embargoMs?: number };

export interface TimeSplit {
  /** Row indices, oldest first. */
  readonly train: Uint32Array;
  readonly validation: Uint32Array;
  readonly test: Uint32Array;
  /** First observation time of the validation and test periods, before the embargo (NaN when a period has no rows). */
  readonly validationStartMs: number;
  readonly testStartMs: number;
  /** The embargo applied, and the rows it dropped from train and from validation. */
  readonly embargoMs: number;
  readonly embargoedTrainRows: number;
  readonly embargoedValidationRows: number;
}

export const DEFAULT_SPLIT: SplitRule = { kind: 'fractions', validation: 0.15, test: 0.15 };

/**
 * Orders rows by observation time (then entity id, so the order does not depend on the file) and
 * cuts them into train / validation / test. With fractions, a cut never separates rows of the same
 * instant: it moves forward to the next later time, so the test set is strictly the future. Then the
 * embargo: a training row observed at t has its label decided at t + embargoMs, so it is dropped when
 * that is at or after the start of validation (of test, without validation rows); a validation row
 * likewise against the start of test. Otherwise the model would learn from labels decided during the
 * period it is then measured on.
 */
export function timeSplit(labelTimesMs: Float64Array, entityIds: readonly string[], rule: SplitRule): TimeSplit {
  const order = Array.from(labelTimesMs.keys()).sort((a, b) => {
    const byTime = (labelTimesMs[a] as number) - (labelTimesMs[b] as number);
    if (byTime !== 0) return byTime;
    const ea = entityIds[a] as string;
    const eb = entityIds[b] as string;
    return ea < eb ? -1 : ea > eb ? 1 : a - b;
  });
  const timeAt = (position: number) => labelTimesMs[order[position] as number] as number;
  const n = order.length;
  let validationAt: number;
  let testAt: number;
  if (rule.kind === 'fractions') {
    if (!(rule.validation >= 0 && rule.test >= 0 && rule.validation + rule.test < 1)) {
      throw new RangeError(`split fractions must be non-negative and leave rows for training, got validation ${rule.validation}, test ${rule.test}`);
    }
    testAt = forwardToNewInstant(Math.round(n * (1 - rule.test)), n, timeAt);
    validationAt = forwardToNewInstant(Math.min(testAt, Math.round(n * (1 - rule.test - rule.validation))), testAt, timeAt);
  } else {
    if (!(rule.validationStartMs <= rule.testStartMs)) throw new RangeError('validation must start before the test set');
    validationAt = firstAtOrAfter(rule.validationStartMs, n, timeAt);
    testAt = firstAtOrAfter(rule.testStartMs, n, timeAt);
  }
  const embargoMs = rule.embargoMs ?? 0;
  if (!(embargoMs >= 0 && Number.isFinite(embargoMs))) throw new RangeError(`the split's embargo must be a non-negative duration, got ${embargoMs} ms`);
  const validationStartMs = validationAt < testAt ? timeAt(validationAt) : Number.NaN;
  const testStartMs = testAt < n ? timeAt(testAt) : Number.NaN;
  // Where the next period begins: the given instant, or (fractions) its first row's time.
  const validationCutMs = rule.kind === 'times' ? rule.validationStartMs : validationStartMs;
  const testCutMs = rule.kind === 'times' ? rule.testStartMs : testStartMs;
  // Rows are in time order, so the embargo drops a tail: those with time + embargo >= the next cut.
  const keptBefore = (cutMs: number, from: number, end: number) => (embargoMs === 0 || Number.isNaN(cutMs) ? end : Math.max(from, Math.min(end, firstAtOrAfter(cutMs - embargoMs, n, timeAt))));
  const trainEnd = keptBefore(validationAt < testAt ? validationCutMs : testCutMs, 0, validationAt);
  const validationEnd = keptBefore(testCutMs, validationAt, testAt);
  const indices = Uint32Array.from(order);
  return {
    train: indices.subarray(0, trainEnd),
    validation: indices.subarray(validationAt, validationEnd),
    test: indices.subarray(testAt),
    validationStartMs,
    testStartMs,
    embargoMs,
    embargoedTrainRows: validationAt - trainEnd,
    embargoedValidationRows: testAt - validationEnd,
  };
}

function forwardToNewInstant(position: number, limit: number, timeAt: (position: number) => number): number {
  let at = position;
  while (at > 0 && at < limit && timeAt(at) === timeAt(at - 1)) at++;
  return at;
}

function firstAtOrAfter(ms: number, n: number, timeAt: (position: number) => number): number {
  let low = 0;
  let high = n;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (timeAt(mid) < ms) low = mid + 1;
    else high = mid;
  }
  return low;
}
