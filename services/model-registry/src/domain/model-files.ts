import { DomainError } from '@kuroshio/service-kit';
import type { Artifact, ArtifactKind } from './registry-change.js';

// A TensorFlow.js model artifact is model.json at the artifact's root plus the weight shards its
// weightsManifest names, relative to it (what inference loads). The registry checks that all of
// them are listed — and so checksum-verified — before a version can be registered and aliased.

export const MODEL_JSON = 'model.json';

/** model.json larger than this is not read (a topology is kilobytes; weights live in the shards). */
export const MODEL_JSON_MAX_BYTES = 16 * 1024 * 1024;

const MODEL_KINDS: ReadonlySet<ArtifactKind> = new Set(['model', 'model_quantized_uint8', 'model_quantized_float16']);

export function isModelKind(kind: ArtifactKind): boolean {
  return MODEL_KINDS.has(kind);
}

/**
 * Checks a model artifact's model.json (the bytes whose sha256 was just verified) against the files
 * the registration lists: every weight shard it names must be among them. FAILED_PRECONDITION naming
 * the first missing file, or saying why model.json is not a model description.
 */
export function checkModelJson(artifact: Artifact, where: string, modelJson: Buffer): void {
  const failed = (reason: string, message: string, details: Record<string, unknown> = {}) =>
    new DomainError('FAILED_PRECONDITION', `${where}: ${message}`, { reason, details: { uri: artifact.uri, ...details } });
  let parsed: unknown;
  try {
    parsed = JSON.parse(modelJson.toString('utf8'));
  } catch {
    throw failed('model_json_invalid', `${MODEL_JSON} is not JSON`);
  }
  if (!isObject(parsed)) throw failed('model_json_invalid', `${MODEL_JSON} is not a JSON object`);
  // tfjs treats a missing weightsManifest as a model without weights.
  const manifest = parsed['weightsManifest'];
  if (manifest === undefined || manifest === null) return;
  if (!Array.isArray(manifest)) throw failed('model_json_invalid', `${MODEL_JSON} weightsManifest is not a list`);
  const listed = new Set(artifact.files.map((file) => file.path));
  for (const group of manifest) {
    const paths: unknown = isObject(group) ? group['paths'] : undefined;
    if (!Array.isArray(paths) || !paths.every((path) => typeof path === 'string')) {
      throw failed('model_json_invalid', `${MODEL_JSON} weightsManifest has a group without a list of paths`);
    }
    for (const path of paths as string[]) {
      if (!listed.has(path)) {
        throw failed(
          'artifact_incomplete',
          `${MODEL_JSON} names weight file ${JSON.stringify(path.slice(0, 200))}, which is not among the artifact's files; list it with its sha256 and size`,
          { path },
        );
      }
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
