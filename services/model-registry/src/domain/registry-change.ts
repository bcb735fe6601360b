// The registry's change log entries: the only way its state changes, in memory and in ClickHouse.

export const ARTIFACT_KINDS = ['model', 'model_quantized_uint8', 'model_quantized_float16', 'feature_spec', 'normalizer', 'manifest'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

export const CHANGE_ACTIONS = ['model_created', 'version_registered', 'alias_set', 'alias_deleted', 'version_archived'] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface ModelSpec {
  readonly description: string;
  readonly owner: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface ArtifactFile {
  /** Relative to the artifact's uri. */
  readonly path: string;
  readonly sha256: string;
  readonly sizeBytes: number;
}

export interface Artifact {
  readonly kind: ArtifactKind;
  /** s3://bucket/prefix */
  readonly uri: string;
  readonly files: readonly ArtifactFile[];
  readonly metrics: Readonly<Record<string, number>>;
}

export interface Lineage {
  readonly datasetManifestHash: string;
  readonly datasetUri: string;
  readonly featureViews: readonly { readonly name: string; readonly version: number }[];
  readonly codeVersion: string;
  readonly backend: string;
  readonly trainingJobId: string;
}

export interface VersionDetails {
  readonly description: string;
  readonly artifacts: readonly Artifact[];
  readonly metrics: Readonly<Record<string, number>>;
  readonly params: JsonObject | null;
  readonly lineage: Lineage | null;
}

/** Who, when and why: every change carries it, and the audit log shows it. */
export interface ChangeMeta {
  /** Position in the log, from 1, without repeats. */
  readonly seq: number;
  readonly eventId: string;
  /** Epoch ms; non-decreasing in seq order. */
  readonly timeMs: number;
  readonly actor: string;
  readonly reason: string;
  readonly modelName: string;
}

export type Change =
  | (ChangeMeta & { readonly action: 'model_created'; readonly model: ModelSpec })
  | (ChangeMeta & { readonly action: 'version_registered'; readonly version: number; readonly requestId: string; readonly details: VersionDetails })
  | (ChangeMeta & { readonly action: 'alias_set'; readonly alias: string; readonly version: number; readonly previousVersion: number })
  | (ChangeMeta & { readonly action: 'alias_deleted'; readonly alias: string; readonly previousVersion: number })
  | (ChangeMeta & { readonly action: 'version_archived'; readonly version: number });

export type AliasChange = Extract<Change, { action: 'alias_set' | 'alias_deleted' }>;

export function isAliasChange(change: Change): change is AliasChange {
  return change.action === 'alias_set' || change.action === 'alias_deleted';
}

/** One audit log entry: a change without its payload. */
export interface AuditEntry {
  readonly seq: number;
  readonly eventId: string;
  readonly timeMs: number;
  readonly actor: string;
  readonly action: ChangeAction;
  readonly modelName: string;
  /** The version concerned; for alias changes the version set (0 when deleted). */
  readonly version: number;
  readonly alias: string;
  /** For alias changes: the version before (0 when the alias did not exist). */
  readonly previousVersion: number;
  readonly reason: string;
}

export function auditEntryOf(change: Change): AuditEntry {
  const base = { seq: change.seq, eventId: change.eventId, timeMs: change.timeMs, actor: change.actor, reason: change.reason, modelName: change.modelName };
  switch (change.action) {
    case 'model_created':
      return { ...base, action: change.action, version: 0, alias: '', previousVersion: 0 };
    case 'version_registered':
    case 'version_archived':
      return { ...base, action: change.action, version: change.version, alias: '', previousVersion: 0 };
    case 'alias_set':
      return { ...base, action: change.action, version: change.version, alias: change.alias, previousVersion: change.previousVersion };
    case 'alias_deleted':
      return { ...base, action: change.action, version: 0, alias: change.alias, previousVersion: change.previousVersion };
  }
}
