import { DomainError, type ErrorCode } from '@kuroshio/service-kit';

/** The coded failures of inference; the transport maps each code to its gRPC status (service-kit). */
export function inferenceError(code: ErrorCode, reason: string, message: string, details: Record<string, unknown> = {}, cause?: unknown): DomainError {
  return new DomainError(code, message, { reason, details, ...(cause === undefined ? {} : { cause }) });
}

export const invalidArgument = (reason: string, message: string, details: Record<string, unknown> = {}) => inferenceError('INVALID_ARGUMENT', reason, message, details);
export const notFound = (reason: string, message: string, details: Record<string, unknown> = {}) => inferenceError('NOT_FOUND', reason, message, details);
export const unavailable = (reason: string, message: string, cause?: unknown) => inferenceError('UNAVAILABLE', reason, message, {}, cause);
export const resourceExhausted = (reason: string, message: string, details: Record<string, unknown> = {}) => inferenceError('RESOURCE_EXHAUSTED', reason, message, details);
export const deadlineExceeded = (message: string) => inferenceError('DEADLINE_EXCEEDED', 'deadline_exceeded', message);
