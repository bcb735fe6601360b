import type { Change } from './experiment-change.js';
import { analystViewName, type ExperimentSpec, type ExperimentState } from './experiment-definition.js';

/** One experiment now, as derived from its changes. */
export interface ExperimentEntry {
  readonly spec: ExperimentSpec;
  state: ExperimentState;
  readonly createdAtMs: number;
  readonly createdBy: string;
  /** seq of the creation: the listing order (newest first). */
  readonly createdSeq: number;
  startedAtMs: number | null;
  stoppedAtMs: number | null;
  stopReason: string;
  revision: number;
}

export interface CatalogState {
  readonly experiments: Map<string, ExperimentEntry>;
  /** Analyst view name -> experiment key, so two keys never share a view. */
  readonly views: Map<string, string>;
  lastSeq: number;
  lastEventId: string;
  lastTimeMs: number;
}

export function emptyState(): CatalogState {
  return { experiments: new Map(), views: new Map(), lastSeq: 0, lastEventId: '', lastTimeMs: 0 };
}

/** Applies one change that `decide*` accepted (or the log holds); a change that does not fit is a corrupt log. */
export function applyChange(state: CatalogState, change: Change): void {
  if (change.seq !== state.lastSeq + 1) throw new Error(`change log gap: expected seq ${state.lastSeq + 1}, got ${change.seq}`);
  const entry = state.experiments.get(change.experimentKey);
  switch (change.action) {
    case 'experiment_created':
      if (entry !== undefined) throw new Error(`change ${change.seq} creates ${change.experimentKey} again`);
      state.experiments.set(change.experimentKey, {
        spec: change.spec,
        state: 'draft',
        createdAtMs: change.timeMs,
        createdBy: change.actor,
        createdSeq: change.seq,
        startedAtMs: null,
        stoppedAtMs: null,
        stopReason: '',
        revision: change.revision,
      });
      state.views.set(analystViewName(change.experimentKey), change.experimentKey);
      break;
    case 'experiment_started':
      if (entry === undefined) throw new Error(`change ${change.seq} starts unknown experiment ${change.experimentKey}`);
      entry.state = 'running';
      entry.startedAtMs = change.timeMs;
      entry.stoppedAtMs = null;
      entry.stopReason = '';
      entry.revision = change.revision;
      break;
    case 'experiment_stopped':
      if (entry === undefined) throw new Error(`change ${change.seq} stops unknown experiment ${change.experimentKey}`);
      entry.state = 'stopped';
      entry.stoppedAtMs = change.timeMs;
      entry.stopReason = change.reason;
      entry.revision = change.revision;
      break;
  }
  state.lastSeq = change.seq;
  state.lastEventId = change.eventId;
  state.lastTimeMs = Math.max(state.lastTimeMs, change.timeMs);
}
