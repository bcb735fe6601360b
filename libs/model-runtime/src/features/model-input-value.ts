/**
 * The number a model input column holds for a raw feature value, as the training-set reader turns
 * a Parquet cell into one: null and non-finite are missing (NaN, imputed by the normaliser), a
 * boolean is 1 or 0, a bigint its Number, a Date its epoch milliseconds, anything else Number(x)
 * when finite.
 */
export function modelInputNumber(value: unknown): number {
  if (value === null || value === undefined) return Number.NaN;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  const number = Number(value);
  return Number.isFinite(number) ? number : Number.NaN;
}

/**
 * Whether a number survives as a model input: inputs are float32 (modelInputBlock's Float32Array),
 * where anything Math.fround rounds past ±3.4028235e38 becomes ±Infinity and makes the score NaN or
 * infinite. A finite float64 can still fail this.
 */
export function fitsFloat32(value: number): boolean {
  return Number.isFinite(Math.fround(value));
}
