/**
 * Most values one dense batch may hold: a batch is densified to batch rows × input width float32s
 * (denseBatch), so 64 Mi values is 256 MiB for the batch — before the tensors made from it.
 */
export const MAX_BATCH_VALUES = 64 * 1024 * 1024;

/** What is wrong with a batch size for an input width, or undefined when it fits the cap. */
export function batchValuesProblem(batchSize: number, inputWidth: number): string | undefined {
  const values = batchSize * inputWidth;
  if (values <= MAX_BATCH_VALUES) return undefined;
  return `batch_size ${batchSize} × input width ${inputWidth} = ${values} values per batch exceeds the cap of ${MAX_BATCH_VALUES} (256 MiB of float32): lower batch_size or text.hash_buckets`;
}

/** Rows per prediction batch for an input width: at most `preferred`, within the cap, at least 1. */
export function predictionBatchRows(inputWidth: number, preferred: number): number {
  return Math.max(1, Math.min(preferred, Math.floor(MAX_BATCH_VALUES / Math.max(1, inputWidth))));
}
