/** Durations as written in feature-view YAML: an integer and a unit, e.g. `90d`, `12h`, `1w`. */
const UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION = /^([1-9][0-9]{0,6})(ms|s|m|h|d|w)$/;

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDurationText(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * UNITS_MS[match[2] as keyof typeof UNITS_MS];
}

/** The shortest text `parseDurationText` reads back as `ms` (largest whole unit). */
export function formatDurationText(ms: number): string {
  const units = Object.entries(UNITS_MS).reverse() as Array<[keyof typeof UNITS_MS, number]>;
  for (const [unit, size] of units) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
