/** Standardisation of one numeric input column, fitted on the training split. */
export interface NormalisedColumn {
  readonly column: string;
  readonly mean: number;
  readonly std: number;
  /** The training split had missing values here: a 0/1 "was missing" input follows the z-scores. */
  readonly missingIndicator: boolean;
}

/**
 * Stored with the model as normalizer.json. Layout of the model input: one z-score per column in
 * order (a missing value is imputed with the training mean, i.e. z = 0), then one indicator per
 * column with `missingIndicator`, in column order.
 */
export interface Normaliser {
  readonly kind: 'standard-score';
  readonly version: 1;
  readonly columns: readonly NormalisedColumn[];
  readonly width: number;
}

/** Fits mean and standard deviation of every column over the given (training) rows only, ignoring missing values. */
export function fitNormaliser(columns: ReadonlyArray<{ name: string; values: Float64Array }>, rows: Uint32Array): Normaliser {
  const fitted = columns.map(({ name, values }): NormalisedColumn => {
    let count = 0;
    let mean = 0;
    let m2 = 0;
    let missing = false;
    for (const row of rows) {
      const value = values[row] as number;
      if (Number.isNaN(value)) {
        missing = true;
        continue;
      }
      // Welford: stable for large values (amounts in cents) where sum-of-squares loses precision.
      count++;
      const delta = value - mean;
      mean += delta / count;
      m2 += delta * (value - mean);
    }
    const std = count > 1 ? Math.sqrt(m2 / count) : 0;
    return { column: name, mean: count > 0 ? mean : 0, std: std > 1e-12 ? std : 1, missingIndicator: missing };
  });
  return { kind: 'standard-score', version: 1, columns: fitted, width: fitted.length + fitted.filter((c) => c.missingIndicator).length };
}

/** Writes the normalised inputs of `row` into `target` at `offset` (normaliser.width values). */
export function normaliseRow(normaliser: Normaliser, values: ReadonlyArray<Float64Array>, row: number, target: Float32Array, offset: number): void {
  const { columns } = normaliser;
  let indicatorAt = offset + columns.length;
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i] as NormalisedColumn;
    const value = (values[i] as Float64Array)[row] as number;
    const missing = Number.isNaN(value);
    target[offset + i] = missing ? 0 : (value - column.mean) / column.std;
    if (column.missingIndicator) target[indicatorAt++] = missing ? 1 : 0;
  }
}

/** The same for one row of plain values (null or NaN = missing), as inference would call it. */
export function normaliseValues(normaliser: Normaliser, values: ReadonlyArray<number | null>): Float32Array {
  const target = new Float32Array(normaliser.width);
  normaliseRow(normaliser, normaliser.columns.map((_, i) => Float64Array.of(values[i] ?? Number.NaN)), 0, target, 0);
  return target;
}
