import { auditEntryOf, type AuditEntry, type Change, type ModelSpec, type VersionDetails } from './registry-change.js';

export interface VersionEntry {
  readonly version: number;
  readonly details: VersionDetails;
  readonly requestId: string;
  readonly createdAtMs: number;
  readonly createdBy: string;
  archivedAtMs: number | null;
}

export interface AliasEntry {
  readonly version: number;
  readonly updatedAtMs: number;
  readonly updatedBy: string;
  readonly eventId: string;
}

export interface ModelEntry {
  readonly name: string;
  readonly spec: ModelSpec;
  readonly createdAtMs: number;
  readonly createdBy: string;
  /** versions[n - 1] is version n. */
  readonly versions: VersionEntry[];
  readonly aliases: Map<string, AliasEntry>;
  /** RegisterModelVersion idempotency keys and the version each registered. */
  readonly requestIds: Map<string, number>;
  /** Every change of each alias, in log order: what ResolveAliasAt searches. */
  readonly aliasHistory: Map<string, AuditEntry[]>;
}

/** The registry's current state: a pure function of the change log (replayed by `applyChange`). */
export interface RegistryState {
  readonly models: Map<string, ModelEntry>;
  /** The audit log, oldest first (the change log without payloads). */
  readonly audit: AuditEntry[];
  lastSeq: number;
  lastTimeMs: number;
}

export function emptyState(): RegistryState {
  return { models: new Map(), audit: [], lastSeq: 0, lastTimeMs: 0 };
}

/** Thrown by replay when the log contradicts itself: a bug or a second writer, never user input. */
export class ChangeLogInconsistency extends Error {
  constructor(change: Change, problem: string) {
    super(`change log entry seq ${change.seq} (${change.action} on ${change.modelName}): ${problem}`);
    this.name = 'ChangeLogInconsistency';
  }
}

/**
 * Applies one change to the state. Decisions only produce changes that apply, so a failure here
 * means the log itself is inconsistent; the state is left untouched in that case.
 */
export function applyChange(state: RegistryState, change: Change): void {
  const fail = (problem: string) => new ChangeLogInconsistency(change, problem);
  if (change.seq <= state.lastSeq) throw fail(`seq does not follow ${state.lastSeq}`);
  if (change.timeMs < state.lastTimeMs) throw fail(`time ${change.timeMs} is before the previous entry's ${state.lastTimeMs}`);
  const model = state.models.get(change.modelName);
  if (change.action === 'model_created') {
    if (model !== undefined) throw fail('model already exists');
    state.models.set(change.modelName, {
      name: change.modelName,
      spec: change.model,
      createdAtMs: change.timeMs,
      createdBy: change.actor,
      versions: [],
      aliases: new Map(),
      requestIds: new Map(),
      aliasHistory: new Map(),
    });
  } else {
    if (model === undefined) throw fail('model does not exist');
    applyToModel(model, change, fail);
  }
  const entry = auditEntryOf(change);
  if (change.action === 'alias_set' || change.action === 'alias_deleted') {
    const history = model?.aliasHistory.get(change.alias) ?? [];
    history.push(entry);
    model?.aliasHistory.set(change.alias, history);
  }
  state.audit.push(entry);
  state.lastSeq = change.seq;
  state.lastTimeMs = change.timeMs;
}

type Fail = (problem: string) => Error;

function applyToModel(model: ModelEntry, change: Exclude<Change, { action: 'model_created' }>, fail: Fail): void {
  switch (change.action) {
    case 'version_registered': {
      if (change.version !== model.versions.length + 1) throw fail(`version ${change.version} does not follow ${model.versions.length}`);
      if (change.requestId !== '' && model.requestIds.has(change.requestId)) throw fail(`request_id ${change.requestId} registered twice`);
      model.versions.push({
        version: change.version,
        details: change.details,
        requestId: change.requestId,
        createdAtMs: change.timeMs,
        createdBy: change.actor,
        archivedAtMs: null,
      });
      if (change.requestId !== '') model.requestIds.set(change.requestId, change.version);
      return;
    }
    case 'alias_set': {
      const target = model.versions[change.version - 1];
      if (target === undefined) throw fail(`version ${change.version} does not exist`);
      if (target.archivedAtMs !== null) throw fail(`version ${change.version} is archived`);
      const previous = model.aliases.get(change.alias)?.version ?? 0;
      if (previous !== change.previousVersion) throw fail(`previous version ${change.previousVersion}, state says ${previous}`);
      model.aliases.set(change.alias, { version: change.version, updatedAtMs: change.timeMs, updatedBy: change.actor, eventId: change.eventId });
      return;
    }
    case 'alias_deleted': {
      const previous = model.aliases.get(change.alias)?.version;
      if (previous !== change.previousVersion) throw fail(`previous version ${change.previousVersion}, state says ${previous ?? 'absent'}`);
      model.aliases.delete(change.alias);
      return;
    }
    case 'version_archived': {
      const target = model.versions[change.version - 1];
      if (target === undefined) throw fail(`version ${change.version} does not exist`);
      if (target.archivedAtMs !== null) throw fail(`version ${change.version} is already archived`);
      if (aliasesOf(model, change.version).length > 0) throw fail(`version ${change.version} still has aliases`);
      target.archivedAtMs = change.timeMs;
      return;
    }
  }
}

/** Aliases pointing at a version, by name. */
export function aliasesOf(model: ModelEntry, version: number): string[] {
  return [...model.aliases.entries()]
    .filter(([, entry]) => entry.version === version)
    .map(([alias]) => alias)
    .sort();
}
