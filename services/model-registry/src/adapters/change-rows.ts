import { dateTimeText } from '@kuroshio/clickhouse';
import type { ChangeLogTable } from '@kuroshio/control-plane';
import { z } from 'zod';
import { ARTIFACT_KINDS, CHANGE_ACTIONS, type Change, type ModelSpec, type VersionDetails } from '../domain/registry-change.js';

/** One row of `registry_changes` (migration 0005) as inserted. */
export interface ChangeRow {
  seq: number;
  event_id: string;
  time: string;
  time_ms: number;
  actor: string;
  action: Change['action'];
  model_name: string;
  version: number;
  alias: string;
  previous_version: number;
  reason: string;
  request_id: string;
  payload: string;
}

export function rowOf(change: Change): ChangeRow {
  const row = {
    seq: change.seq,
    event_id: change.eventId,
    time: dateTimeText(new Date(change.timeMs)),
    time_ms: change.timeMs,
    actor: change.actor,
    action: change.action,
    model_name: change.modelName,
    version: 0,
    alias: '',
    previous_version: 0,
    reason: change.reason,
    request_id: '',
    payload: '{}',
  };
  switch (change.action) {
    case 'model_created':
      return { ...row, payload: JSON.stringify(change.model) };
    case 'version_registered':
      return { ...row, version: change.version, request_id: change.requestId, payload: JSON.stringify(change.details) };
    case 'alias_set':
      return { ...row, version: change.version, alias: change.alias, previous_version: change.previousVersion };
    case 'alias_deleted':
      return { ...row, alias: change.alias, previous_version: change.previousVersion };
    case 'version_archived':
      return { ...row, version: change.version };
  }
}

// Rows come back from ClickHouse with UInt64 as strings; the payload is checked, not trusted.
const count = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().int().min(0).max(Number.MAX_SAFE_INTEGER));
const storedRow = z.object({
  seq: count,
  event_id: z.string().min(1),
  time_ms: count,
  actor: z.string(),
  action: z.enum(CHANGE_ACTIONS),
  model_name: z.string().min(1),
  version: count,
  alias: z.string(),
  previous_version: count,
  reason: z.string(),
  request_id: z.string(),
  payload: z.string(),
});

const json: z.ZodType<unknown> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(z.string(), json)]));
const metrics = z.record(z.string(), z.number());
const modelSpec = z.object({ description: z.string(), owner: z.string(), labels: z.record(z.string(), z.string()) });
const versionDetails = z.object({
  description: z.string(),
  artifacts: z.array(
    z.object({
      kind: z.enum(ARTIFACT_KINDS),
      uri: z.string(),
      files: z.array(z.object({ path: z.string(), sha256: z.string(), sizeBytes: z.number().int().min(0) })),
      metrics,
    }),
  ),
  metrics,
  params: z.record(z.string(), json).nullable(),
  lineage: z
    .object({
      datasetManifestHash: z.string(),
      datasetUri: z.string(),
      featureViews: z.array(z.object({ name: z.string(), version: z.number().int() })),
      codeVersion: z.string(),
      backend: z.string(),
      trainingJobId: z.string(),
    })
    .nullable(),
});

/** A stored row back as a change; a row that does not parse is an error (the log is corrupt). */
export function changeOf(raw: unknown): Change {
  const row = storedRow.parse(raw);
  const meta = { seq: row.seq, eventId: row.event_id, timeMs: row.time_ms, actor: row.actor, reason: row.reason, modelName: row.model_name };
  switch (row.action) {
    case 'model_created':
      return { ...meta, action: row.action, model: modelSpec.parse(JSON.parse(row.payload)) as ModelSpec };
    case 'version_registered':
      return { ...meta, action: row.action, version: row.version, requestId: row.request_id, details: versionDetails.parse(JSON.parse(row.payload)) as VersionDetails };
    case 'alias_set':
      return { ...meta, action: row.action, alias: row.alias, version: row.version, previousVersion: row.previous_version };
    case 'alias_deleted':
      return { ...meta, action: row.action, alias: row.alias, previousVersion: row.previous_version };
    case 'version_archived':
      return { ...meta, action: row.action, version: row.version };
  }
}

/** The change log's table (migration 0005) for `ClickHouseChangeLog`. */
export const CHANGE_LOG_TABLE: ChangeLogTable<Change, ChangeRow> = {
  name: 'registry_changes',
  columns: ['seq', 'event_id', 'time_ms', 'actor', 'action', 'model_name', 'version', 'alias', 'previous_version', 'reason', 'request_id', 'payload'],
  rowOf,
  changeOf,
};
