import type { z } from 'zod';

/** What is wrong with one environment variable (every reason, not just the first). */
export interface ConfigProblem {
  readonly key: string;
  readonly reasons: readonly string[];
}

/** Thrown by `loadConfig`: lists every wrong or missing key at once, so one restart fixes them all. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(formatConfigProblems(problems));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

// Keys that are not environment variables (a top-level refinement) are reported under this name.
const WHOLE_CONFIG = '(config)';
const ENV_KEY = /^[A-Z][A-Z0-9_]*$/;

export function formatConfigProblems(problems: readonly ConfigProblem[]): string {
  const count = problems.length === 1 ? '1 key' : `${problems.length} keys`;
  const lines = problems.map((p) => `  ${p.key}: ${p.reasons.join('; ')}`);
  return [`invalid configuration (${count}):`, ...lines].join('\n');
}

/**
 * Groups zod issues by environment variable. Reasons never quote the value, which may be a secret.
 * An issue about an absent variable says "missing" rather than zod's "expected string, received undefined".
 */
export function problemsFromIssues(
  issues: readonly z.core.$ZodIssue[],
  env: Readonly<Record<string, string | undefined>>,
): ConfigProblem[] {
  const byKey = new Map<string, string[]>();
  for (const issue of issues) {
    const key = issue.path.find((segment): segment is string => typeof segment === 'string' && ENV_KEY.test(segment)) ?? WHOLE_CONFIG;
    const missing = key !== WHOLE_CONFIG && env[key] === undefined && issue.code === 'invalid_type';
    const reason = missing ? 'missing (required)' : issue.message;
    const reasons = byKey.get(key) ?? [];
    if (!reasons.includes(reason)) reasons.push(reason);
    byKey.set(key, reasons);
  }
  return [...byKey].map(([key, reasons]) => ({ key, reasons }));
}
