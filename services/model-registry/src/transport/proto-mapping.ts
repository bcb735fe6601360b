import { grpcNest, timestampFromDate, type Timestamp } from '@kuroshio/contracts';
import { assertUnreachable } from '@kuroshio/service-kit';
import type { ArtifactKind, AuditEntry, ChangeAction, Lineage } from '../domain/registry-change.js';
import { aliasesOf, type AliasEntry, type ModelEntry, type VersionEntry } from '../domain/registry-state.js';
import type { ArtifactInput } from '../domain/version-input.js';

// Domain records <-> the generated NestJS message types. Nothing here decides anything.

type Proto = typeof grpcNest.registry.v1;
const v1: Proto = grpcNest.registry.v1;
type ProtoArtifactKind = grpcNest.registry.v1.ArtifactKind;

const KINDS: ReadonlyArray<[ArtifactKind, ProtoArtifactKind]> = [
  ['model', v1.ArtifactKind.ARTIFACT_KIND_MODEL],
  ['model_quantized_uint8', v1.ArtifactKind.ARTIFACT_KIND_MODEL_QUANTIZED_UINT8],
  ['model_quantized_float16', v1.ArtifactKind.ARTIFACT_KIND_MODEL_QUANTIZED_FLOAT16],
  ['feature_spec', v1.ArtifactKind.ARTIFACT_KIND_FEATURE_SPEC],
  ['normalizer', v1.ArtifactKind.ARTIFACT_KIND_NORMALIZER],
  ['manifest', v1.ArtifactKind.ARTIFACT_KIND_MANIFEST],
];

function protoKind(kind: ArtifactKind): ProtoArtifactKind {
  const found = KINDS.find(([domain]) => domain === kind);
  if (found === undefined) throw new Error(`no proto kind for ${kind}`);
  return found[1];
}

/** proto-loader hands Nest enums by name (GRPC_LOADER_OPTIONS); unspecified or unknown is null. */
function domainKind(kind: unknown): ArtifactKind | null {
  return KINDS.find(([, proto]) => proto === kind)?.[0] ?? null;
}

export function protoAction(action: ChangeAction): grpcNest.registry.v1.AuditAction {
  switch (action) {
    case 'model_created':
      return v1.AuditAction.AUDIT_ACTION_MODEL_CREATED;
    case 'version_registered':
      return v1.AuditAction.AUDIT_ACTION_VERSION_REGISTERED;
    case 'alias_set':
      return v1.AuditAction.AUDIT_ACTION_ALIAS_SET;
    case 'alias_deleted':
      return v1.AuditAction.AUDIT_ACTION_ALIAS_DELETED;
    case 'version_archived':
      return v1.AuditAction.AUDIT_ACTION_VERSION_ARCHIVED;
    default:
      return assertUnreachable(action);
  }
}

const time = (ms: number): Timestamp => timestampFromDate(new Date(ms));

export function protoAlias(alias: string, entry: AliasEntry): grpcNest.registry.v1.AliasAssignment {
  return { alias, version: entry.version, updateTime: time(entry.updatedAtMs), updatedBy: entry.updatedBy };
}

export function protoModel(model: ModelEntry): grpcNest.registry.v1.Model {
  return {
    name: model.name,
    description: model.spec.description,
    owner: model.spec.owner,
    labels: { ...model.spec.labels },
    aliases: [...model.aliases.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([alias, entry]) => protoAlias(alias, entry)),
    latestVersion: model.versions.length,
    createTime: time(model.createdAtMs),
    createdBy: model.createdBy,
  };
}

export function protoVersion(model: ModelEntry, entry: VersionEntry): grpcNest.registry.v1.ModelVersion {
  const { details } = entry;
  return {
    modelName: model.name,
    version: entry.version,
    state: entry.archivedAtMs === null ? v1.ModelVersionState.MODEL_VERSION_STATE_READY : v1.ModelVersionState.MODEL_VERSION_STATE_ARCHIVED,
    description: details.description,
    artifacts: details.artifacts.map((artifact) => ({
      kind: protoKind(artifact.kind),
      uri: artifact.uri,
      files: artifact.files.map((file) => ({ path: file.path, sha256: file.sha256, sizeBytes: file.sizeBytes })),
      metrics: { ...artifact.metrics },
    })),
    metrics: { ...details.metrics },
    params: details.params,
    lineage: details.lineage === null ? null : { ...details.lineage, featureViews: details.lineage.featureViews.map((view) => ({ ...view })) },
    aliases: aliasesOf(model, entry.version),
    createTime: time(entry.createdAtMs),
    createdBy: entry.createdBy,
    archiveTime: entry.archivedAtMs === null ? null : time(entry.archivedAtMs),
  };
}

export function protoAuditEvent(entry: AuditEntry): grpcNest.registry.v1.AuditEvent {
  return {
    eventId: entry.eventId,
    time: time(entry.timeMs),
    actor: entry.actor,
    action: protoAction(entry.action),
    modelName: entry.modelName,
    version: entry.version,
    alias: entry.alias,
    previousVersion: entry.previousVersion,
    reason: entry.reason,
  };
}

export function artifactInputs(artifacts: readonly grpcNest.registry.v1.ModelArtifact[] | null | undefined): ArtifactInput[] {
  return (artifacts ?? []).map((artifact) => ({
    kind: domainKind(artifact.kind),
    uri: artifact.uri ?? '',
    files: (artifact.files ?? []).map((file) => ({ path: file.path ?? '', sha256: file.sha256 ?? '', sizeBytes: Number(file.sizeBytes ?? 0) })),
    metrics: artifact.metrics ?? {},
  }));
}

export function lineageInput(lineage: grpcNest.registry.v1.Lineage | null | undefined): Lineage | null {
  if (lineage === null || lineage === undefined) return null;
  return {
    datasetManifestHash: lineage.datasetManifestHash ?? '',
    datasetUri: lineage.datasetUri ?? '',
    featureViews: (lineage.featureViews ?? []).map((view) => ({ name: view.name ?? '', version: Number(view.version ?? 0) })),
    codeVersion: lineage.codeVersion ?? '',
    backend: lineage.backend ?? '',
    trainingJobId: lineage.trainingJobId ?? '',
  };
}

/** Epoch ms of a Timestamp, undefined when unset. */
export function msOf(timestamp: Timestamp | null | undefined): number | undefined {
  if (timestamp === null || timestamp === undefined) return undefined;
  return Number(timestamp.seconds) * 1000 + Math.floor(Number(timestamp.nanos) / 1_000_000);
}
