import { DomainError } from '@kuroshio/service-kit';

// The service's coded failures. Each becomes a gRPC status and an HTTP status through
// transportStatusOf (service-kit); `reason` travels in the kuroshio-error-reason trailer / JSON body.

export function invalidArgument(message: string, reason = 'invalid_argument', details: Record<string, unknown> = {}): DomainError {
  return new DomainError('INVALID_ARGUMENT', message, { reason, details });
}

export function actorMissing(): DomainError {
  return new DomainError('UNAUTHENTICATED', 'changes need the caller identity in the x-kuroshio-actor metadata', { reason: 'actor_missing' });
}

export function experimentNotFound(key: string): DomainError {
  return new DomainError('NOT_FOUND', `experiment ${key} does not exist`, { reason: 'experiment_not_found', details: { key } });
}

export function experimentExists(key: string): DomainError {
  return new DomainError('ALREADY_EXISTS', `experiment ${key} already exists`, { reason: 'experiment_exists', details: { key } });
}

export function viewNameTaken(key: string, other: string, view: string): DomainError {
  return new DomainError('ALREADY_EXISTS', `experiment ${key} would share the analyst view ${view} with experiment ${other}; choose a key that differs in more than hyphens and underscores`, {
    reason: 'view_name_taken',
    details: { key, other, view },
  });
}

export function wrongState(key: string, action: string, state: string, allowed: readonly string[]): DomainError {
  return new DomainError('FAILED_PRECONDITION', `experiment ${key} is ${state}; ${action} needs it ${allowed.join(' or ')}`, {
    reason: 'wrong_state',
    details: { key, state, allowed: [...allowed] },
  });
}

export function warehouseUnavailable(what: string, cause: unknown): DomainError {
  return new DomainError('UNAVAILABLE', `ClickHouse did not answer (${what}); retry`, { reason: 'warehouse_unavailable', cause });
}

export function exposureNotRecorded(cause: unknown): DomainError {
  return new DomainError('UNAVAILABLE', 'the exposure was not acknowledged by Kafka; the unit was not exposed: retry', { reason: 'exposure_not_recorded', cause });
}
