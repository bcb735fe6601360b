import { LoggedState, type Caller } from '@kuroshio/control-plane';
import { isAliasChange, type AliasChange, type AuditEntry, type Change, type ModelSpec } from './registry-change.js';
import {
  decideArchiveVersion,
  decideCreateModel,
  decideDeleteAlias,
  decideRegisterVersion,
  decideSetAlias,
  findIdempotentVersion,
  requireModel,
  requireVersion,
  type Decision,
  type DecisionMeta,
} from './registry-decisions.js';
import { invalidArgument } from './registry-errors.js';
import type { AliasChangeSink, ArtifactVerifier, ChangeLog } from './registry-ports.js';
import * as queries from './registry-queries.js';
import { applyChange, emptyState, type AliasEntry, type ModelEntry, type RegistryState, type VersionEntry } from './registry-state.js';
import { checkActor, checkAlias, checkModelName, checkReason, checkText, checkVersionNumber, TEXT_LIMITS } from './registry-text.js';
import { checkVersionInput, type VersionInput } from './version-input.js';

export interface ModelRegistryDeps {
  readonly log: ChangeLog;
  readonly aliasChanges: AliasChangeSink;
  readonly artifacts: ArtifactVerifier;
  /** Buckets artifact URIs may name. */
  readonly artifactBuckets: readonly string[];
  readonly clock?: () => number;
  readonly newEventId: () => string;
  /** Log entries read per query while rebuilding. */
  readonly readPageSize?: number;
}

const LABEL_KEY = /^[a-z][a-z0-9_.-]{0,62}$/;

/**
 * The registry: state in memory, derived from the change log. Every change goes through one queue:
 * decide against the current state, append to the log (durable), apply to memory and publish alias
 * changes, then answer. Reads are served from memory.
 */
export class ModelRegistry {
  readonly #deps: ModelRegistryDeps;
  readonly #log: LoggedState<RegistryState, Change>;
  /** Publication of each alias change applied, for the mutation that made it to wait on. */
  readonly #deliveries = new WeakMap<Change, Promise<boolean>>();

  constructor(deps: ModelRegistryDeps) {
    this.#deps = deps;
    this.#log = new LoggedState({
      subject: 'the registry',
      log: deps.log,
      state: emptyState(),
      apply: applyChange,
      // Every alias change applied is published, also one read back after a write that failed but
      // landed (no mutation answers for it): otherwise inference would keep serving the old version.
      onApplied: (change) => {
        if (isAliasChange(change)) this.#deliveries.set(change, deps.aliasChanges.enqueue(change));
      },
      newEventId: deps.newEventId,
      ...(deps.clock === undefined ? {} : { clock: deps.clock }),
      ...(deps.readPageSize === undefined ? {} : { readPageSize: deps.readPageSize }),
    });
  }

  get rebuilt(): boolean {
    return this.#log.rebuilt;
  }

  /** Position of the last applied change. */
  get lastSeq(): number {
    return this.#log.lastSeq;
  }

  get queueDepth(): number {
    return this.#log.queueDepth;
  }

  /**
   * Replays the change log into memory; call until it resolves (a failure keeps what was read and
   * continues from there). Then republishes every alias's latest change, in case the process died
   * between a log write and its publication (the topic is compacted, consumers see no difference).
   */
  async rebuild(): Promise<number> {
    return this.#log.rebuild((state) => {
      for (const model of state.models.values()) {
        for (const history of model.aliasHistory.values()) {
          const last = history[history.length - 1];
          if (last !== undefined) void this.#deps.aliasChanges.enqueue(aliasChangeOf(last));
        }
      }
    });
  }

  // ---- changes ----

  async createModel(caller: Caller, input: { name: string; description: string; owner: string; labels: Readonly<Record<string, string>> }): Promise<ModelEntry> {
    const who = checkCaller(caller);
    const name = checkModelName(input.name, 'name');
    const spec = checkModelSpec(input);
    return this.#mutate(who, (state, meta) => decideCreateModel(state, { name, spec }, meta), (state) => requireModel(state, name));
  }

  async registerVersion(caller: Caller, input: { modelName: string; requestId: string; version: VersionInput }): Promise<{ model: ModelEntry; version: VersionEntry }> {
    const who = checkCaller(caller);
    const modelName = checkModelName(input.modelName);
    const requestId = checkText('request_id', input.requestId.trim(), { max: TEXT_LIMITS.requestId });
    const details = checkVersionInput(input.version, this.#deps.artifactBuckets);
    const model = requireModel(this.#readable(), modelName);
    const existing = findIdempotentVersion(model, requestId, details);
    if (existing !== undefined) return { model, version: existing };
    // Outside the queue: reading artifacts from S3 must not hold up other changes.
    await this.#deps.artifacts.verify(details.artifacts);
    return this.#mutate(
      who,
      (state, meta) => decideRegisterVersion(state, { modelName, requestId, details }, meta),
      (state, change) => {
        const current = requireModel(state, modelName);
        const version = change?.action === 'version_registered' ? change.version : (current.requestIds.get(requestId) ?? 0);
        return { model: current, version: requireVersion(current, version) };
      },
    );
  }

  async setAlias(
    caller: Caller,
    input: { modelName: string; alias: string; version: number; expectedVersion: number | undefined },
  ): Promise<{ model: ModelEntry; alias: AliasEntry; previousVersion: number }> {
    const who = checkCaller(caller);
    const command = {
      modelName: checkModelName(input.modelName),
      alias: checkAlias(input.alias),
      version: checkVersionNumber(input.version),
      expectedVersion: checkExpectedVersion(input.expectedVersion),
    };
    return this.#mutate(
      who,
      (state, meta) => decideSetAlias(state, command, meta),
      (state, change) => {
        const model = requireModel(state, command.modelName);
        const alias = model.aliases.get(command.alias);
        if (alias === undefined) throw new Error('alias missing right after it was set');
        return { model, alias, previousVersion: change?.action === 'alias_set' ? change.previousVersion : alias.version };
      },
    );
  }

  async deleteAlias(caller: Caller, input: { modelName: string; alias: string; expectedVersion: number | undefined }): Promise<{ previousVersion: number }> {
    const who = checkCaller(caller);
    const command = { modelName: checkModelName(input.modelName), alias: checkAlias(input.alias), expectedVersion: checkExpectedVersion(input.expectedVersion) };
    return this.#mutate(
      who,
      (state, meta) => decideDeleteAlias(state, command, meta),
      (_state, change) => ({ previousVersion: change?.action === 'alias_deleted' ? change.previousVersion : 0 }),
    );
  }

  async archiveVersion(caller: Caller, input: { modelName: string; version: number }): Promise<{ model: ModelEntry; version: VersionEntry }> {
    const who = checkCaller(caller);
    const command = { modelName: checkModelName(input.modelName), version: checkVersionNumber(input.version) };
    return this.#mutate(
      who,
      (state, meta) => decideArchiveVersion(state, command, meta),
      (state) => {
        const model = requireModel(state, command.modelName);
        return { model, version: requireVersion(model, command.version) };
      },
    );
  }

  // ---- reads ----

  getModel(name: string): ModelEntry {
    return requireModel(this.#readable(), checkModelName(name, 'name'));
  }

  listModels(request: queries.PageRequest) {
    return queries.listModels(this.#readable(), request);
  }

  getVersion(modelName: string, selector: { version?: number | null; alias?: string | null }) {
    const model = checkModelName(modelName);
    if (selector.alias !== undefined && selector.alias !== null) return queries.getVersion(this.#readable(), model, { alias: checkAlias(selector.alias) });
    if (selector.version !== undefined && selector.version !== null) {
      return queries.getVersion(this.#readable(), model, { version: checkVersionNumber(selector.version) });
    }
    throw invalidArgument('give the version by number or by alias', 'version_selector_missing');
  }

  listVersions(request: queries.PageRequest & { modelName: string; includeArchived: boolean }) {
    return queries.listVersions(this.#readable(), { ...request, modelName: checkModelName(request.modelName) });
  }

  listAudit(query: queries.AuditQuery) {
    return queries.listAudit(this.#readable(), {
      ...query,
      modelName: query.modelName === '' ? '' : checkModelName(query.modelName),
      alias: query.alias === '' ? '' : checkAlias(query.alias),
    });
  }

  resolveAliasAt(modelName: string, alias: string, atMs: number): { version: number; assignedBy: AuditEntry | null } {
    if (!Number.isFinite(atMs)) throw invalidArgument('time is required', 'time_missing');
    return queries.resolveAliasAt(this.#readable(), checkModelName(modelName), checkAlias(alias), atMs);
  }

  // ---- machinery ----

  #readable(): RegistryState {
    return this.#log.readable();
  }

  async #mutate<T>(caller: Caller, decide: (state: RegistryState, meta: DecisionMeta) => Decision, answer: (state: RegistryState, change: Change | null) => T): Promise<T> {
    const { result, delivery } = await this.#log.mutate(caller, decide, (state, change) => ({
      result: answer(state, change),
      delivery: change === null ? undefined : this.#deliveries.get(change),
    }));
    // Waiting for Kafka outside the queue: the order is fixed once enqueued, and the change is
    // durable in the log either way (an undelivered change is retried in the background).
    await delivery;
    return result;
  }
}

function checkCaller(caller: Caller): Caller {
  return { actor: checkActor(caller.actor), reason: checkReason(caller.reason) };
}

function checkExpectedVersion(value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) throw invalidArgument('expected_version must be a version number, or 0 for "absent"', 'invalid_version');
  return value;
}

function checkModelSpec(input: { description: string; owner: string; labels: Readonly<Record<string, string>> }): ModelSpec {
  const entries = Object.entries(input.labels);
  if (entries.length > TEXT_LIMITS.labels) throw invalidArgument(`${entries.length} labels; at most ${TEXT_LIMITS.labels}`, 'too_many_labels');
  const labels: Record<string, string> = {};
  for (const [key, value] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!LABEL_KEY.test(key)) throw invalidArgument(`label key ${JSON.stringify(key.slice(0, 80))} is not a label name (a-z 0-9 _ . -, starting with a letter)`, 'invalid_label');
    labels[key] = checkText(`labels.${key}`, value, { max: TEXT_LIMITS.labelValue });
  }
  return {
    description: checkText('description', input.description, { max: TEXT_LIMITS.description, multiline: true }),
    owner: checkText('owner', input.owner.trim(), { max: TEXT_LIMITS.owner }),
    labels,
  };
}

/** The alias change an audit entry records, for republishing. */
function aliasChangeOf(entry: AuditEntry): AliasChange {
  const meta = { seq: entry.seq, eventId: entry.eventId, timeMs: entry.timeMs, actor: entry.actor, reason: entry.reason, modelName: entry.modelName };
  return entry.action === 'alias_set'
    ? { ...meta, action: 'alias_set', alias: entry.alias, version: entry.version, previousVersion: entry.previousVersion }
    : { ...meta, action: 'alias_deleted', alias: entry.alias, previousVersion: entry.previousVersion };
}
