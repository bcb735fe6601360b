/**
 * Why a statistic cannot be computed. The experiment service maps these codes to its own errors;
 * nothing here returns NaN instead of throwing.
 * - `invalid-input`: a value outside its domain (negative count, NaN, weights that sum to 0, ...).
 * - `insufficient-data`: too few units for the statistic (a sample variance needs n >= 2).
 * - `zero-baseline`: a relative lift against a control mean of exactly 0.
 */
export type StatsErrorCode = 'invalid-input' | 'insufficient-data' | 'zero-baseline';

export class StatsError extends Error {
  override readonly name = 'StatsError';

  constructor(
    readonly code: StatsErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function invalidInput(message: string): StatsError {
  return new StatsError('invalid-input', message);
}

export function requireFinite(value: number, what: string): number {
  if (!Number.isFinite(value)) throw invalidInput(`${what} must be a finite number, got ${value}`);
  return value;
}

export function requireCount(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw invalidInput(`${what} must be a non-negative integer, got ${value}`);
  }
  return value;
}
