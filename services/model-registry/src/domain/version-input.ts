import { checkRelativePath, parseArtifactUri } from './artifact-location.js';
import { isModelKind, MODEL_JSON } from './model-files.js';
import type { Artifact, ArtifactFile, ArtifactKind, JsonObject, JsonValue, Lineage, VersionDetails } from './registry-change.js';
import { invalidArgument } from './registry-errors.js';
import { checkText, TEXT_LIMITS } from './registry-text.js';

/** A registration as the transport decoded it, not yet checked. */
export interface VersionInput {
  readonly description: string;
  readonly artifacts: readonly ArtifactInput[];
  readonly metrics: Readonly<Record<string, number>>;
  readonly params: unknown;
  readonly lineage: Lineage | null;
}

export interface ArtifactInput {
  /** null when the caller sent an unknown or unspecified kind. */
  readonly kind: ArtifactKind | null;
  readonly uri: string;
  readonly files: readonly ArtifactFile[];
  readonly metrics: Readonly<Record<string, number>>;
}

export const VERSION_LIMITS = {
  artifacts: 32,
  filesPerArtifact: 1000,
  metrics: 256,
  paramsBytes: 64 * 1024,
  featureViews: 256,
} as const;

const SHA256_HEX = /^[0-9a-f]{64}$/;
const METRIC_KEY = /^[A-Za-z][A-Za-z0-9_.:-]{0,127}$/;
const FEATURE_VIEW = /^[a-z][a-z0-9_.-]{0,127}$/;
const DATASET_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^\s]*)?$/;

/** Checks a registration; `allowedBuckets` are the buckets artifacts may live in. */
export function checkVersionInput(input: VersionInput, allowedBuckets: readonly string[]): VersionDetails {
  if (input.artifacts.length === 0) throw invalidArgument('artifacts is empty; at least one artifact of kind MODEL is required', 'model_artifact_missing');
  if (input.artifacts.length > VERSION_LIMITS.artifacts) throw invalidArgument(`${input.artifacts.length} artifacts; at most ${VERSION_LIMITS.artifacts}`, 'too_many_artifacts');
  const artifacts = input.artifacts.map((artifact, index) => checkArtifact(artifact, `artifacts[${index}]`, allowedBuckets));
  if (!artifacts.some((artifact) => artifact.kind === 'model')) {
    throw invalidArgument('no artifact of kind ARTIFACT_KIND_MODEL; a version needs its full-precision model', 'model_artifact_missing');
  }
  return {
    description: checkText('description', input.description, { max: TEXT_LIMITS.description, multiline: true }),
    artifacts,
    metrics: checkMetrics(input.metrics, 'metrics'),
    params: checkParams(input.params),
    lineage: input.lineage === null ? null : checkLineage(input.lineage),
  };
}

function checkArtifact(artifact: ArtifactInput, field: string, allowedBuckets: readonly string[]): Artifact {
  if (artifact.kind === null) throw invalidArgument(`${field}.kind is unspecified or unknown`, 'invalid_artifact_kind', { field: `${field}.kind` });
  parseArtifactUri(artifact.uri, `${field}.uri`, allowedBuckets);
  if (artifact.files.length === 0) throw invalidArgument(`${field}.files is empty; list every file with its sha256 and size`, 'artifact_files_missing', { field });
  if (artifact.files.length > VERSION_LIMITS.filesPerArtifact) {
    throw invalidArgument(`${field} lists ${artifact.files.length} files; at most ${VERSION_LIMITS.filesPerArtifact}`, 'too_many_files', { field });
  }
  const seen = new Set<string>();
  const files = artifact.files.map((file, index) => {
    const at = `${field}.files[${index}]`;
    const path = checkRelativePath(file.path, `${at}.path`);
    if (seen.has(path)) throw invalidArgument(`${at}.path ${path} is listed twice`, 'duplicate_artifact_path', { field: `${at}.path` });
    seen.add(path);
    if (!SHA256_HEX.test(file.sha256)) throw invalidArgument(`${at}.sha256 (file ${path}) must be 64 lower-case hex digits`, 'invalid_sha256', { field: `${at}.sha256` });
    if (!Number.isSafeInteger(file.sizeBytes) || file.sizeBytes < 0) throw invalidArgument(`${at}.size_bytes (file ${path}) is not a byte count`, 'invalid_size', { field: `${at}.size_bytes` });
    return { path, sha256: file.sha256, sizeBytes: file.sizeBytes };
  });
  if (isModelKind(artifact.kind) && !seen.has(MODEL_JSON)) {
    throw invalidArgument(`${field} is a model but does not list ${MODEL_JSON}, the file inference loads first; list it and every weight file it names`, 'model_json_missing', { field });
  }
  return { kind: artifact.kind, uri: artifact.uri, files, metrics: checkMetrics(artifact.metrics, `${field}.metrics`) };
}

function checkMetrics(metrics: Readonly<Record<string, number>>, field: string): Record<string, number> {
  const entries = Object.entries(metrics);
  if (entries.length > VERSION_LIMITS.metrics) throw invalidArgument(`${field} has ${entries.length} entries; at most ${VERSION_LIMITS.metrics}`, 'too_many_metrics', { field });
  const checked: Record<string, number> = {};
  for (const [key, value] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!METRIC_KEY.test(key)) throw invalidArgument(`${field} key ${JSON.stringify(key.slice(0, 80))} is not a metric name`, 'invalid_metric_name', { field });
    if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidArgument(`${field}.${key} is not a finite number`, 'invalid_metric_value', { field });
    checked[key] = value;
  }
  return checked;
}

function checkParams(params: unknown): JsonObject | null {
  if (params === null || params === undefined) return null;
  if (!isPlainObject(params)) throw invalidArgument('params must be an object', 'invalid_params');
  const json = JSON.stringify(params, (_key, value: unknown) => {
    if (typeof value === 'number' && !Number.isFinite(value)) throw invalidArgument('params holds a number that is not finite', 'invalid_params');
    if (typeof value === 'string') checkText('params value', value, { max: VERSION_LIMITS.paramsBytes, multiline: true });
    return value;
  });
  if (Buffer.byteLength(json, 'utf8') > VERSION_LIMITS.paramsBytes) throw invalidArgument(`params exceed ${VERSION_LIMITS.paramsBytes} bytes as JSON`, 'params_too_large');
  return JSON.parse(json) as JsonObject;
}

function checkLineage(lineage: Lineage): Lineage {
  if (lineage.datasetManifestHash !== '' && !SHA256_HEX.test(lineage.datasetManifestHash)) {
    throw invalidArgument('lineage.dataset_manifest_hash must be the manifest content_hash: 64 lower-case hex digits', 'invalid_lineage', { field: 'lineage.dataset_manifest_hash' });
  }
  if (lineage.datasetUri !== '' && (!DATASET_URI.test(lineage.datasetUri) || lineage.datasetUri.length > 1024)) {
    throw invalidArgument('lineage.dataset_uri must be an s3:// URI', 'invalid_lineage', { field: 'lineage.dataset_uri' });
  }
  if (lineage.featureViews.length > VERSION_LIMITS.featureViews) throw invalidArgument(`lineage.feature_views has more than ${VERSION_LIMITS.featureViews} entries`, 'invalid_lineage');
  const featureViews = lineage.featureViews.map((view, index) => {
    const field = `lineage.feature_views[${index}]`;
    if (!FEATURE_VIEW.test(view.name)) throw invalidArgument(`${field}.name ${JSON.stringify(view.name.slice(0, 80))} is not a feature view name`, 'invalid_lineage', { field });
    if (!Number.isInteger(view.version) || view.version < 1) throw invalidArgument(`${field}.version must be a version number from 1`, 'invalid_lineage', { field });
    return { name: view.name, version: view.version };
  });
  return {
    datasetManifestHash: lineage.datasetManifestHash,
    datasetUri: lineage.datasetUri,
    featureViews,
    codeVersion: checkText('lineage.code_version', lineage.codeVersion, { max: 128 }),
    backend: checkText('lineage.backend', lineage.backend, { max: 64 }),
    trainingJobId: checkText('lineage.training_job_id', lineage.trainingJobId, { max: 128 }),
  };
}

function isPlainObject(value: unknown): value is Record<string, JsonValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with object keys sorted at every level: equal content, equal text (idempotency comparison). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    isPlainObject(inner) ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : inner,
  );
}
