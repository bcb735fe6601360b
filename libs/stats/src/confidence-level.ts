import { invalidInput } from './stats-error.js';

export const DEFAULT_CONFIDENCE_LEVEL = 0.95;

export interface IntervalOptions {
  /** Two-sided confidence level in (0, 1); 0.95 when omitted. */
  readonly confidenceLevel?: number;
}

/** A closed two-sided interval. */
export interface ConfidenceInterval {
  readonly lower: number;
  readonly upper: number;
}

/** The confidence level of the options, checked; and the upper tail probability (1 - level) / 2. */
export function confidenceLevelOf(options: IntervalOptions | undefined): { level: number; upperTail: number } {
  const level = options?.confidenceLevel ?? DEFAULT_CONFIDENCE_LEVEL;
  if (!(level > 0 && level < 1)) throw invalidInput(`confidenceLevel must be in (0, 1), got ${level}`);
  return { level, upperTail: (1 - level) / 2 };
}

/** estimate ± halfWidth, degenerate ([estimate, estimate]) when the half width is 0. */
export function intervalAround(estimate: number, halfWidth: number): ConfidenceInterval {
  return { lower: estimate - halfWidth, upper: estimate + halfWidth };
}
