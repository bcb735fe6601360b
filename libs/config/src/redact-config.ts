import { REDACTED, Secret } from './secret.js';

/** The config as it may be logged: secrets replaced by `[redacted]`, passwords in URLs masked. */
export type RedactedConfig<T> = T extends Secret<unknown>
  ? string
  : T extends readonly (infer E)[]
    ? RedactedConfig<E>[]
    : T extends object
      ? { [K in keyof T]: RedactedConfig<T[K]> }
      : T;

// scheme://user:password@host — a password in a connection URL is as secret as a separate one.
const URL_WITH_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:)[^@/?#]*@/i;

export function redactConfig<T>(config: T): RedactedConfig<T> {
  return redactValue(config) as RedactedConfig<T>;
}

function redactValue(value: unknown): unknown {
  if (value instanceof Secret) return REDACTED;
  if (typeof value === 'string') return value.replace(URL_WITH_PASSWORD, `$1${REDACTED}@`);
  if (Array.isArray(value)) return value.map(redactValue);
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, redactValue(inner)]));
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
