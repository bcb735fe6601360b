import { DomainError } from '@kuroshio/service-kit';

// The registry's coded failures. Each becomes a gRPC status through transportStatusOf (service-kit);
// `reason` travels in the kuroshio-error-reason trailer so callers can branch on it.

export function invalidArgument(message: string, reason = 'invalid_argument', details: Record<string, unknown> = {}): DomainError {
  return new DomainError('INVALID_ARGUMENT', message, { reason, details });
}

export function actorMissing(): DomainError {
  return new DomainError('UNAUTHENTICATED', 'changes need the caller identity in the x-kuroshio-actor metadata', { reason: 'actor_missing' });
}

export function modelNotFound(model: string): DomainError {
  return new DomainError('NOT_FOUND', `model ${model} does not exist`, { reason: 'model_not_found', details: { model } });
}

export function modelExists(model: string): DomainError {
  return new DomainError('ALREADY_EXISTS', `model ${model} already exists`, { reason: 'model_exists', details: { model } });
}

export function versionNotFound(model: string, version: number): DomainError {
  return new DomainError('NOT_FOUND', `model ${model} has no version ${version}`, { reason: 'version_not_found', details: { model, version } });
}

export function aliasNotFound(model: string, alias: string): DomainError {
  return new DomainError('NOT_FOUND', `model ${model} has no alias ${alias}`, { reason: 'alias_not_found', details: { model, alias } });
}

export function aliasVersionMismatch(model: string, alias: string, expected: number, actual: number): DomainError {
  const describe = (version: number) => (version === 0 ? 'no version (alias absent)' : `version ${version}`);
  return new DomainError(
    'FAILED_PRECONDITION',
    `alias ${alias} of model ${model}: expected ${describe(expected)}, but it points at ${describe(actual)}; nothing changed`,
    { reason: 'alias_version_mismatch', details: { model, alias, expectedVersion: expected, actualVersion: actual } },
  );
}

export function versionArchived(model: string, version: number): DomainError {
  return new DomainError('FAILED_PRECONDITION', `version ${version} of model ${model} is archived and cannot receive an alias`, {
    reason: 'version_archived',
    details: { model, version },
  });
}

export function versionAlreadyArchived(model: string, version: number): DomainError {
  return new DomainError('FAILED_PRECONDITION', `version ${version} of model ${model} is already archived`, {
    reason: 'version_already_archived',
    details: { model, version },
  });
}

export function versionHasAliases(model: string, version: number, aliases: readonly string[]): DomainError {
  return new DomainError(
    'FAILED_PRECONDITION',
    `version ${version} of model ${model} is served under ${aliases.join(', ')}; move or delete the alias before archiving`,
    { reason: 'version_has_aliases', details: { model, version, aliases: [...aliases] } },
  );
}

export function requestIdReused(model: string, requestId: string, version: number): DomainError {
  return new DomainError(
    'ALREADY_EXISTS',
    `request_id ${requestId} already registered version ${version} of model ${model} with different content; use a new request_id`,
    { reason: 'request_id_reused', details: { model, requestId, version } },
  );
}

