import type { ErrorCode } from './error-code.js';

export interface DomainErrorOptions {
  /** Machine-readable, domain-specific cause, e.g. `unknown_write_key`; defaults to the code. */
  readonly reason?: string;
  /** Safe-to-return facts for the caller (never secrets or internals). */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/** An expected failure of domain code, carried to the transport, which maps its code to a status. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly reason: string;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: DomainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.code = code;
    this.reason = options.reason ?? code.toLowerCase();
    this.details = options.details ?? {};
  }
}
