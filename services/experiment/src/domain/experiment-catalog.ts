import type { ExposureValue } from '@kuroshio/contracts';
import { decodePageToken, LoggedState, page, pageSizeOf, type Caller } from '@kuroshio/control-plane';
import type { Change } from './experiment-change.js';
import { analystViewName, EXPERIMENT_STATES, type ExperimentState } from './experiment-definition.js';
import {
  experimentExists,
  experimentNotFound,
  exposureNotRecorded,
  invalidArgument,
  viewNameTaken,
  warehouseUnavailable,
  wrongState,
} from './experiment-errors.js';
import { checkExperimentInput, checkExperimentKey, type ExperimentInput } from './experiment-input.js';
import type { AnalystViews, ChangeLog, ExposureSink } from './experiment-ports.js';
import { applyChange, emptyState, type CatalogState, type ExperimentEntry } from './experiment-state.js';
import { checkActor, checkReason } from './text-rules.js';
import { checkTraits } from './trait-matching.js';
import { assignUnit, checkUnitId, type UnitAssignment } from './unit-assignment.js';

export interface ExperimentCatalogDeps {
  readonly log: ChangeLog;
  readonly views: AnalystViews;
  readonly exposures: ExposureSink;
  readonly clock?: () => number;
  readonly newEventId: () => string;
  readonly newSalt: () => string;
  /** Log entries read per query while rebuilding. */
  readonly readPageSize?: number;
}

export interface AssignRequest {
  readonly experimentKey: string;
  readonly unitId: string;
  readonly traits: unknown;
  readonly recordExposure: boolean;
}

export interface AssignOutcome extends UnitAssignment {
  readonly experimentKey: string;
  readonly unitId: string;
  readonly exposureRecorded: boolean;
}

/**
 * The experiments: state in memory, derived from the change log. Every change goes through one
 * queue — decide against the current state, append to the log (durable), apply to memory, answer —
 * so revisions and seqs never race. Reads and assignment are served from memory.
 */
export class ExperimentCatalog {
  readonly #deps: ExperimentCatalogDeps;
  readonly #log: LoggedState<CatalogState, Change>;
  readonly #clock: () => number;

  constructor(deps: ExperimentCatalogDeps) {
    this.#deps = deps;
    this.#clock = deps.clock ?? Date.now;
    this.#log = new LoggedState({
      subject: 'the experiment service',
      log: deps.log,
      state: emptyState(),
      apply: applyChange,
      newEventId: deps.newEventId,
      clock: this.#clock,
      ...(deps.readPageSize === undefined ? {} : { readPageSize: deps.readPageSize }),
    });
  }

  get rebuilt(): boolean {
    return this.#log.rebuilt;
  }

  get lastSeq(): number {
    return this.#log.lastSeq;
  }

  get queueDepth(): number {
    return this.#log.queueDepth;
  }

  /** Replays the change log into memory; call until it resolves (a failure keeps what was read). */
  async rebuild(): Promise<number> {
    return this.#log.rebuild();
  }

  // ---- changes ----

  async create(caller: Caller, input: ExperimentInput): Promise<ExperimentEntry> {
    const who = checkCaller(caller);
    const spec = checkExperimentInput(input, this.#deps.newSalt);
    return this.#log.mutate(
      who,
      (state, meta) => {
        if (state.experiments.has(spec.key)) throw experimentExists(spec.key);
        const view = analystViewName(spec.key);
        const other = state.views.get(view);
        if (other !== undefined) throw viewNameTaken(spec.key, other, view);
        return { kind: 'change', change: { ...meta, experimentKey: spec.key, revision: 1, action: 'experiment_created', spec } };
      },
      (state) => requireEntry(state, spec.key),
    );
  }

  async start(caller: Caller, key: string): Promise<ExperimentEntry> {
    const who = checkCaller(caller);
    const checked = checkExperimentKey(key);
    return this.#log.mutate(
      who,
      async (state, meta) => {
        const entry = requireEntry(state, checked);
        if (entry.state === 'running') throw wrongState(checked, 'StartExperiment', entry.state, ['draft', 'stopped']);
        // Before the log write: a start is recorded only once analysts have its view.
        try {
          await this.#deps.views.ensure(entry.spec);
        } catch (error) {
          throw warehouseUnavailable('creating the analyst view', error);
        }
        return { kind: 'change', change: { ...meta, experimentKey: checked, revision: entry.revision + 1, action: 'experiment_started' } };
      },
      (state) => requireEntry(state, checked),
    );
  }

  async stop(caller: Caller, key: string): Promise<ExperimentEntry> {
    const who = checkCaller(caller);
    const checked = checkExperimentKey(key);
    return this.#log.mutate(
      who,
      (state, meta) => {
        const entry = requireEntry(state, checked);
        if (entry.state !== 'running') throw wrongState(checked, 'StopExperiment', entry.state, ['running']);
        return { kind: 'change', change: { ...meta, experimentKey: checked, revision: entry.revision + 1, action: 'experiment_stopped' } };
      },
      (state) => requireEntry(state, checked),
    );
  }

  // ---- reads ----

  get(key: string): ExperimentEntry {
    return requireEntry(this.#readable(), checkExperimentKey(key));
  }

  list(request: { states: readonly ExperimentState[]; pageSize: number; pageToken: string }): { items: ExperimentEntry[]; nextPageToken: string } {
    const size = pageSizeOf(request.pageSize);
    const after = decodePageToken('experiments', request.pageToken, 'number');
    for (const state of request.states) {
      if (!EXPERIMENT_STATES.includes(state)) throw invalidArgument(`unknown state ${String(state)}`, 'invalid_state', { field: 'states' });
    }
    const wanted = new Set(request.states);
    const all = [...this.#readable().experiments.values()]
      .filter((entry) => wanted.size === 0 || wanted.has(entry.state))
      .sort((a, b) => b.createdSeq - a.createdSeq)
      .filter((entry) => after === undefined || entry.createdSeq < after);
    return page(all, size, 0, (entry) => entry.createdSeq, 'experiments');
  }

  /** The unit's variant; with `recordExposure`, resolves after Kafka acknowledged the exposure. */
  async assign(request: AssignRequest): Promise<AssignOutcome> {
    const key = checkExperimentKey(request.experimentKey, 'experiment_key');
    const unitId = checkUnitId(request.unitId);
    const traits = checkTraits(request.traits);
    const entry = requireEntry(this.#readable(), key);
    const assignment = assignUnit(entry, unitId, traits);
    let exposureRecorded = false;
    if (request.recordExposure && assignment.status === 'assigned') {
      const exposure: ExposureValue = {
        experimentKey: key,
        variant: assignment.variant,
        unitId,
        revision: entry.revision,
        recordedBy: 'experiment',
        requestId: null,
        exposedAt: new Date(this.#clock()).toISOString(),
      };
      try {
        await this.#deps.exposures.record(exposure);
      } catch (error) {
        throw exposureNotRecorded(error);
      }
      exposureRecorded = true;
    }
    return { ...assignment, experimentKey: key, unitId, exposureRecorded };
  }

  // ---- machinery ----

  #readable(): CatalogState {
    return this.#log.readable();
  }
}



function requireEntry(state: CatalogState, key: string): ExperimentEntry {
  const entry = state.experiments.get(key);
  if (entry === undefined) throw experimentNotFound(key);
  return entry;
}

function checkCaller(caller: Caller): Caller {
  return { actor: checkActor(caller.actor), reason: checkReason(caller.reason) };
}
