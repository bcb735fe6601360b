import type { Change, ChangeMeta, ModelSpec, VersionDetails } from './registry-change.js';
import {
  aliasNotFound,
  aliasVersionMismatch,
  modelExists,
  modelNotFound,
  requestIdReused,
  versionAlreadyArchived,
  versionArchived,
  versionHasAliases,
  versionNotFound,
} from './registry-errors.js';
import { aliasesOf, type ModelEntry, type RegistryState, type VersionEntry } from './registry-state.js';
import { canonicalJson } from './version-input.js';

// Decisions: given the current state and a checked command, the change to record — or a coded
// error, or nothing when the state already is what the command asks for. They run inside the
// registry's one mutation queue, so the state cannot move between a decision and its write.

/** Meta of the change a decision would produce; `modelName` comes from the command. */
export type DecisionMeta = Omit<ChangeMeta, 'modelName'>;

export type Decision = { readonly kind: 'change'; readonly change: Change } | { readonly kind: 'unchanged' };

export function requireModel(state: RegistryState, name: string): ModelEntry {
  const model = state.models.get(name);
  if (model === undefined) throw modelNotFound(name);
  return model;
}

export function requireVersion(model: ModelEntry, version: number): VersionEntry {
  const entry = model.versions[version - 1];
  if (entry === undefined) throw versionNotFound(model.name, version);
  return entry;
}

export function decideCreateModel(state: RegistryState, command: { name: string; spec: ModelSpec }, meta: DecisionMeta): Decision {
  if (state.models.has(command.name)) throw modelExists(command.name);
  return { kind: 'change', change: { ...meta, modelName: command.name, action: 'model_created', model: command.spec } };
}

/**
 * A retry with a known request_id gets the version it registered (`existing`), provided the
 * content is the same; different content under the same key is refused.
 */
export function findIdempotentVersion(model: ModelEntry, requestId: string, details: VersionDetails): VersionEntry | undefined {
  if (requestId === '') return undefined;
  const version = model.requestIds.get(requestId);
  if (version === undefined) return undefined;
  const existing = requireVersion(model, version);
  if (canonicalJson(existing.details) !== canonicalJson(details)) throw requestIdReused(model.name, requestId, version);
  return existing;
}

export function decideRegisterVersion(
  state: RegistryState,
  command: { modelName: string; requestId: string; details: VersionDetails },
  meta: DecisionMeta,
): Decision {
  const model = requireModel(state, command.modelName);
  if (findIdempotentVersion(model, command.requestId, command.details) !== undefined) return { kind: 'unchanged' };
  return {
    kind: 'change',
    change: {
      ...meta,
      modelName: model.name,
      action: 'version_registered',
      version: model.versions.length + 1,
      requestId: command.requestId,
      details: command.details,
    },
  };
}

export interface AliasCommand {
  readonly modelName: string;
  readonly alias: string;
  /** Optimistic concurrency: what the caller believes the alias points at (0: absent); undefined: unconditional. */
  readonly expectedVersion: number | undefined;
}

function checkExpected(model: ModelEntry, command: AliasCommand): number {
  const actual = model.aliases.get(command.alias)?.version ?? 0;
  if (command.expectedVersion !== undefined && command.expectedVersion !== actual) {
    throw aliasVersionMismatch(model.name, command.alias, command.expectedVersion, actual);
  }
  return actual;
}

/** Setting an alias to the version it already has records nothing. */
export function decideSetAlias(state: RegistryState, command: AliasCommand & { version: number }, meta: DecisionMeta): Decision {
  const model = requireModel(state, command.modelName);
  const target = requireVersion(model, command.version);
  const previous = checkExpected(model, command);
  if (target.archivedAtMs !== null) throw versionArchived(model.name, command.version);
  if (previous === command.version) return { kind: 'unchanged' };
  return {
    kind: 'change',
    change: { ...meta, modelName: model.name, action: 'alias_set', alias: command.alias, version: command.version, previousVersion: previous },
  };
}

export function decideDeleteAlias(state: RegistryState, command: AliasCommand, meta: DecisionMeta): Decision {
  const model = requireModel(state, command.modelName);
  const previous = checkExpected(model, command);
  if (previous === 0) throw aliasNotFound(model.name, command.alias);
  return { kind: 'change', change: { ...meta, modelName: model.name, action: 'alias_deleted', alias: command.alias, previousVersion: previous } };
}

export function decideArchiveVersion(state: RegistryState, command: { modelName: string; version: number }, meta: DecisionMeta): Decision {
  const model = requireModel(state, command.modelName);
  const target = requireVersion(model, command.version);
  if (target.archivedAtMs !== null) throw versionAlreadyArchived(model.name, command.version);
  const aliases = aliasesOf(model, command.version);
  if (aliases.length > 0) throw versionHasAliases(model.name, command.version, aliases);
  return { kind: 'change', change: { ...meta, modelName: model.name, action: 'version_archived', version: command.version } };
}
