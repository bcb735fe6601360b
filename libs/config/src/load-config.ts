import type { z } from 'zod';
import { ConfigError, problemsFromIssues } from './config-error.js';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses the environment once into a typed config. Throws a {@link ConfigError} naming every bad key.
 * An empty variable counts as unset (`FOO=` in a manifest means "not configured", so defaults apply).
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env = process.env): z.output<S> {
  const present = withoutEmptyValues(env);
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  throw new ConfigError(problemsFromIssues(result.error.issues, present));
}

export interface ExitHooks {
  readonly writeError: (line: string) => void;
  readonly exit: (code: number) => never;
}

const processExitHooks: ExitHooks = {
  writeError: (line) => process.stderr.write(`${line}\n`),
  exit: (code) => process.exit(code),
};

/** What a service does at start-up: print every bad key to stderr, one line each, and exit 1. */
export function exitOnConfigError(error: unknown, hooks: ExitHooks = processExitHooks): never {
  if (!(error instanceof ConfigError)) throw error;
  for (const line of error.message.split('\n')) hooks.writeError(line);
  return hooks.exit(1);
}

export function loadConfigOrExit<S extends z.ZodType>(schema: S, env: Env = process.env, hooks: ExitHooks = processExitHooks): z.output<S> {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    return exitOnConfigError(error, hooks);
  }
}

function withoutEmptyValues(env: Env): Record<string, string> {
  const present: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') present[key] = value;
  }
  return present;
}
