import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ChecksumMismatchError, type ObjectStore } from '@kuroshio/object-store';
import { DomainError } from '@kuroshio/service-kit';
import { withSpan } from '@kuroshio/telemetry';
import { describeLocation, objectLocation, parseArtifactUri, type ObjectLocation } from '../domain/artifact-location.js';
import { checkModelJson, isModelKind, MODEL_JSON, MODEL_JSON_MAX_BYTES } from '../domain/model-files.js';
import type { Artifact, ArtifactFile } from '../domain/registry-change.js';
import type { ArtifactVerifier } from '../domain/registry-ports.js';

type Store = Pick<ObjectStore, 'stat' | 'getStream'>;

/** Files read at once; artifacts are a handful of files, a model's weight shards a few dozen. */
const CONCURRENCY = 4;

/**
 * Reads every artifact file from S3 and compares its size and sha256 with what the registration
 * claims. A file that is missing or differs fails the whole registration, naming the file; so does
 * a model whose model.json names a weight file the registration does not list.
 */
export class S3ArtifactVerifier implements ArtifactVerifier {
  constructor(
    private readonly store: Store,
    private readonly allowedBuckets: readonly string[],
  ) {}

  async verify(artifacts: readonly Artifact[]): Promise<void> {
    const files = artifacts.flatMap((artifact, index) => {
      const root = parseArtifactUri(artifact.uri, `artifacts[${index}].uri`, this.allowedBuckets);
      return artifact.files.map((file) => ({
        file,
        location: objectLocation(root, file.path),
        // A model's model.json is kept as read (the bytes the checksum covers) to check its weight list.
        modelOf: isModelKind(artifact.kind) && file.path === MODEL_JSON ? artifact : undefined,
      }));
    });
    await withSpan('registry.verify-artifacts', { 'kuroshio.artifact_files': files.length }, async () => {
      const modelJsons: { artifact: Artifact; content: Buffer }[] = [];
      let next = 0;
      const worker = async () => {
        while (next < files.length) {
          const item = files[next++];
          if (item === undefined) continue;
          const content = await this.verifyFile(item.file, item.location, item.modelOf !== undefined);
          if (item.modelOf !== undefined && content !== undefined) modelJsons.push({ artifact: item.modelOf, content });
        }
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));
      for (const { artifact, content } of modelJsons) checkModelJson(artifact, `artifact ${artifact.uri}`, content);
    });
  }

  /** Verifies one file; with `keep`, answers its content (model.json, bounded in size). */
  private async verifyFile(file: ArtifactFile, location: ObjectLocation, keep: boolean): Promise<Buffer | undefined> {
    const where = `artifact file ${file.path} (${describeLocation(location)})`;
    const failed = (reason: string, message: string) =>
      new DomainError('FAILED_PRECONDITION', `${where}: ${message}`, { reason, details: { path: file.path, uri: describeLocation(location) } });
    let size: number;
    try {
      size = (await this.store.stat(location.bucket, location.key)).size;
    } catch (error) {
      if (isNotFound(error)) throw failed('artifact_missing', 'does not exist');
      throw unavailable(where, error);
    }
    if (size !== file.sizeBytes) throw failed('artifact_size_mismatch', `is ${size} bytes, the registration says ${file.sizeBytes}`);
    if (keep && size > MODEL_JSON_MAX_BYTES) throw failed('model_json_too_large', `is ${size} bytes; a model.json may have at most ${MODEL_JSON_MAX_BYTES}`);
    let read: { sha256: string; content: Buffer | undefined };
    try {
      read = await sha256Of(await this.store.getStream(location.bucket, location.key), keep);
    } catch (error) {
      if (error instanceof ChecksumMismatchError) throw failed('artifact_checksum_mismatch', `content does not match the sha256 stored with the object (${error.expected})`);
      if (isNotFound(error)) throw failed('artifact_missing', 'does not exist');
      throw unavailable(where, error);
    }
    if (read.sha256 !== file.sha256) throw failed('artifact_checksum_mismatch', `sha256 is ${read.sha256}, the registration says ${file.sha256}`);
    if (keep && read.content === undefined) throw failed('model_json_too_large', `is larger than ${MODEL_JSON_MAX_BYTES} bytes`);
    return read.content;
  }
}

async function sha256Of(stream: Readable, keep: boolean): Promise<{ sha256: string; content: Buffer | undefined }> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let kept = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    // The stat bounded the size, but the object may be replaced between stat and read.
    if (keep && (kept += (chunk as Buffer).length) <= MODEL_JSON_MAX_BYTES) chunks.push(chunk as Buffer);
  }
  const sha256 = hash.digest('hex');
  return { sha256, content: keep && kept <= MODEL_JSON_MAX_BYTES ? Buffer.concat(chunks) : undefined };
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'NotFound' || code === 'NoSuchKey' || code === 'NoSuchBucket';
}

function unavailable(where: string, cause: unknown): DomainError {
  return new DomainError('UNAVAILABLE', `could not read ${where} from S3; retry`, { reason: 's3_unavailable', cause });
}
