import { inspect } from 'node:util';
import { z } from 'zod';

export const REDACTED = '[redacted]';

/**
 * Holds a secret config value. Every way a value usually reaches a log line (string conversion,
 * JSON, util.inspect) yields `[redacted]`; only an explicit `reveal()` at the point of use returns it.
 */
export class Secret<T = string> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  reveal(): T {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `Secret(${REDACTED})`;
  }
}

/** Marks a config value as secret: it parses with `inner` and comes out wrapped in a {@link Secret}. */
export function secret<T extends z.ZodType<string, string | undefined>>(inner?: T) {
  const schema = inner ?? z.string();
  return schema.transform((value: string) => new Secret(value));
}
