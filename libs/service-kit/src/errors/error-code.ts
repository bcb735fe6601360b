/**
 * The kinds of failure a Kuroshio module reports. Each module's errors carry one of these (plus a
 * domain-specific `reason`), and `error-status.ts` maps each to exactly one HTTP and one gRPC status.
 */
export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'ABORTED',
  'FAILED_PRECONDITION',
  'PAYLOAD_TOO_LARGE',
  'RESOURCE_EXHAUSTED',
  'UNIMPLEMENTED',
  'UNAVAILABLE',
  'DEADLINE_EXCEEDED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
