import { z } from 'zod';

// Environment variables are strings; these parse them strictly. Leniency here ("yes" as true,
// "12abc" as 12) turns a typo in a deployment into a silently different service.

export function envInt(options: { min?: number; max?: number } = {}) {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
  return z
    .string()
    .regex(/^-?\d+$/, { error: 'expected an integer' })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, { error: `expected an integer >= ${min}` })
        .max(max, { error: `expected an integer <= ${max}` }),
    );
}

/** A TCP port; 0 asks the OS for a free one (tests). */
export function envPort() {
  return envInt({ min: 0, max: 65_535 });
}

export function envBoolean() {
  return z.stringbool({
    truthy: ['true', '1'],
    falsy: ['false', '0'],
    case: 'insensitive',
    error: 'expected true or false (or 1/0)',
  });
}

export function envUrl() {
  return z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });
}

/** Comma-separated non-empty items, each checked by `item`. */
export function envList<T extends z.ZodType<unknown, string>>(item: T, what = 'item') {
  return z
    .string()
    .transform((raw) => raw.split(',').map((part) => part.trim()))
    .pipe(z.array(item).min(1, { error: `expected at least one ${what}` }));
}

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/;

export function envHostPort() {
  return z.string().regex(HOST_PORT, { error: 'expected host:port' });
}
