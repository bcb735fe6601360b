import { dateTimeText } from '@kuroshio/clickhouse';
import type { ChangeLogTable } from '@kuroshio/control-plane';
import { z } from 'zod';
import { CHANGE_ACTIONS, type Change } from '../domain/experiment-change.js';
import { DIRECTIONS, FILTER_OPERATORS, METRIC_KINDS, METRIC_ROLES, type ExperimentSpec } from '../domain/experiment-definition.js';

/** One row of `experiment_changes` (migration 0010) as inserted. */
export interface ChangeRow {
  seq: number;
  event_id: string;
  time: string;
  time_ms: number;
  actor: string;
  action: Change['action'];
  experiment_key: string;
  revision: number;
  reason: string;
  payload: string;
}

export function rowOf(change: Change): ChangeRow {
  return {
    seq: change.seq,
    event_id: change.eventId,
    time: dateTimeText(new Date(change.timeMs)),
    time_ms: change.timeMs,
    actor: change.actor,
    action: change.action,
    experiment_key: change.experimentKey,
    revision: change.revision,
    reason: change.reason,
    payload: change.action === 'experiment_created' ? JSON.stringify(change.spec) : '{}',
  };
}

// Rows come back from ClickHouse with UInt64 as strings; the payload is checked, not trusted.
const count = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().int().min(0).max(Number.MAX_SAFE_INTEGER));
const storedRow = z.object({
  seq: count,
  event_id: z.string().min(1),
  time_ms: count,
  actor: z.string(),
  action: z.enum(CHANGE_ACTIONS),
  experiment_key: z.string().min(1),
  revision: count,
  reason: z.string(),
  payload: z.string(),
});
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const filter = z.object({ path: z.string(), operator: z.enum(FILTER_OPERATORS), values: z.array(scalar) });
const spec = z.object({
  key: z.string(),
  hypothesis: z.string(),
  description: z.string(),
  owner: z.string(),
  unit: z.string(),
  salt: z.string(),
  variants: z.array(
    z.object({
      key: z.string(),
      description: z.string(),
      weight: z.number().int().min(1),
      control: z.boolean(),
      model: z.object({ modelName: z.string(), version: z.number().int().min(1) }).nullable(),
    }),
  ),
  targeting: z.object({ traitFilters: z.array(filter), trafficFraction: z.number().gt(0).max(1) }),
  metrics: z.array(
    z.object({
      key: z.string(),
      description: z.string(),
      kind: z.enum(METRIC_KINDS),
      event: z.string(),
      property: z.string(),
      filters: z.array(filter),
      windowMs: z.number().nullable(),
      role: z.enum(METRIC_ROLES),
      direction: z.enum(DIRECTIONS),
      cupedLookbackMs: z.number().nullable(),
    }),
  ),
});

/** A stored row back as a change; a row that does not parse is an error (the log is corrupt). */
export function changeOf(raw: unknown): Change {
  const row = storedRow.parse(raw);
  const meta = { seq: row.seq, eventId: row.event_id, timeMs: row.time_ms, actor: row.actor, reason: row.reason, experimentKey: row.experiment_key, revision: row.revision };
  switch (row.action) {
    case 'experiment_created':
      return { ...meta, action: row.action, spec: spec.parse(JSON.parse(row.payload)) as ExperimentSpec };
    case 'experiment_started':
    case 'experiment_stopped':
      return { ...meta, action: row.action };
  }
}

/** The change log's table (migration 0010) for `ClickHouseChangeLog`. */
export const CHANGE_LOG_TABLE: ChangeLogTable<Change, ChangeRow> = {
  name: 'experiment_changes',
  columns: ['seq', 'event_id', 'time_ms', 'actor', 'action', 'experiment_key', 'revision', 'reason', 'payload'],
  rowOf,
  changeOf,
};
