import type { ExperimentSpec } from './experiment-definition.js';

// The change log entries: the only way the service's state changes, in memory and in ClickHouse.

export const CHANGE_ACTIONS = ['experiment_created', 'experiment_started', 'experiment_stopped'] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

/** Who, when and why: every change carries it. */
export interface ChangeMeta {
  /** Position in the log, from 1, without repeats. */
  readonly seq: number;
  readonly eventId: string;
  /** Epoch ms; non-decreasing in seq order. */
  readonly timeMs: number;
  readonly actor: string;
  readonly reason: string;
  readonly experimentKey: string;
  /** The experiment's revision after the change: 1 when created, +1 per change. */
  readonly revision: number;
}

export type Change =
  | (ChangeMeta & { readonly action: 'experiment_created'; readonly spec: ExperimentSpec })
  | (ChangeMeta & { readonly action: 'experiment_started' })
  | (ChangeMeta & { readonly action: 'experiment_stopped' });
