import type { AuditEntry } from './registry-change.js';
import { aliasNotFound, invalidArgument } from './registry-errors.js';
import { decodePageToken, page, pageSizeOf } from '@kuroshio/control-plane';
import { requireModel, requireVersion } from './registry-decisions.js';
import type { ModelEntry, RegistryState, VersionEntry } from './registry-state.js';

// Reads of the derived state. They need no queue: the state only changes between two awaits of
// the mutation queue, and every read here is synchronous.

export interface PageRequest {
  readonly pageSize: number;
  readonly pageToken: string;
}

export function listModels(state: RegistryState, request: PageRequest) {
  const size = pageSizeOf(request.pageSize);
  const after = decodePageToken('models', request.pageToken, 'string');
  const models = [...state.models.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const start = after === undefined ? 0 : models.findIndex((model) => model.name > after);
  return page(models, size, start === -1 ? models.length : start, (model) => model.name, 'models');
}

export type VersionSelector = { readonly version: number } | { readonly alias: string };

export function getVersion(state: RegistryState, modelName: string, selector: VersionSelector): { model: ModelEntry; version: VersionEntry } {
  const model = requireModel(state, modelName);
  if ('version' in selector) return { model, version: requireVersion(model, selector.version) };
  const alias = model.aliases.get(selector.alias);
  if (alias === undefined) throw aliasNotFound(model.name, selector.alias);
  return { model, version: requireVersion(model, alias.version) };
}

/** Newest first. */
export function listVersions(state: RegistryState, request: PageRequest & { modelName: string; includeArchived: boolean }) {
  const model = requireModel(state, request.modelName);
  const size = pageSizeOf(request.pageSize);
  const before = decodePageToken(`versions:${model.name}`, request.pageToken, 'number');
  const versions = model.versions.filter((entry) => request.includeArchived || entry.archivedAtMs === null).reverse();
  const start = before === undefined ? 0 : versions.findIndex((entry) => entry.version < before);
  const result = page(versions, size, start === -1 ? versions.length : start, (entry) => entry.version, `versions:${model.name}`);
  return { model, ...result };
}

export interface AuditQuery extends PageRequest {
  readonly modelName: string;
  readonly alias: string;
  /** Inclusive start, exclusive end, epoch ms. */
  readonly fromMs: number | undefined;
  readonly toMs: number | undefined;
}

/** Oldest first; the cursor is the log position. */
export function listAudit(state: RegistryState, query: AuditQuery) {
  if (query.alias !== '' && query.modelName === '') throw invalidArgument('alias filter needs model_name', 'alias_without_model');
  if (query.fromMs !== undefined && query.toMs !== undefined && query.toMs < query.fromMs) {
    throw invalidArgument('time_range ends before it starts', 'invalid_time_range');
  }
  const size = pageSizeOf(query.pageSize);
  const afterSeq = decodePageToken('audit', query.pageToken, 'number') ?? 0;
  const source: readonly AuditEntry[] =
    query.alias !== '' ? (state.models.get(query.modelName)?.aliasHistory.get(query.alias) ?? []) : state.audit;
  const matches = source.filter(
    (entry) =>
      entry.seq > afterSeq &&
      (query.modelName === '' || entry.modelName === query.modelName) &&
      (query.fromMs === undefined || entry.timeMs >= query.fromMs) &&
      (query.toMs === undefined || entry.timeMs < query.toMs),
  );
  return page(matches, size, 0, (entry) => entry.seq, 'audit');
}

/**
 * The version an alias pointed at, at `atMs`: the last change of the alias at or before that
 * instant decides (0 when there was none or it was a deletion). Log times never decrease, so the
 * alias's history is sorted by time and a binary search finds it.
 */
export function resolveAliasAt(state: RegistryState, modelName: string, alias: string, atMs: number): { version: number; assignedBy: AuditEntry | null } {
  const model = requireModel(state, modelName);
  const history = model.aliasHistory.get(alias) ?? [];
  let low = 0;
  let high = history.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((history[middle]?.timeMs ?? Infinity) <= atMs) low = middle + 1;
    else high = middle;
  }
  const decisive = low === 0 ? undefined : history[low - 1];
  if (decisive === undefined || decisive.action === 'alias_deleted') return { version: 0, assignedBy: null };
  return { version: decisive.version, assignedBy: decisive };
}
