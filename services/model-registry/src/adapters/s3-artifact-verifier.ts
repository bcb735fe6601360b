import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ChecksumMismatchError, type ObjectStore } from '@kuroshio/object-store';
import { DomainError } from '@kuroshio/service-kit';
import { withSpan } from '@kuroshio/telemetry';
import { describeLocation, objectLocation, parseArtifactUri, type ObjectLocation } from '../domain/artifact-location.js';
import type { Artifact, ArtifactFile } from '../domain/registry-change.js';
import type { ArtifactVerifier } from '../domain/registry-ports.js';

type Store = Pick<ObjectStore, 'stat' | 'getStream'>;

/** Files read at once; artifacts are a handful of files, a model's weight shards a few dozen. */
const CONCURRENCY = 4;

/**
 * Reads every artifact file from S3 and compares its size and sha256 with what the registration
 * claims. A file that is missing or differs fails the whole registration, naming the file.
 */
export class S3ArtifactVerifier implements ArtifactVerifier {
  constructor(
    private readonly store: Store,
    private readonly allowedBuckets: readonly string[],
  ) {}

  async verify(artifacts: readonly Artifact[]): Promise<void> {
    const files = artifacts.flatMap((artifact, index) => {
      const root = parseArtifactUri(artifact.uri, `artifacts[${index}].uri`, this.allowedBuckets);
      return artifact.files.map((file) => ({ file, location: objectLocation(root, file.path) }));
    });
    await withSpan('registry.verify-artifacts', { 'kuroshio.artifact_files': files.length }, async () => {
      let next = 0;
      const worker = async () => {
        while (next < files.length) {
          const item = files[next++];
          if (item !== undefined) await this.verifyFile(item.file, item.location);
        }
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));
    });
  }

  private async verifyFile(file: ArtifactFile, location: ObjectLocation): Promise<void> {
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
    let actual: string;
    try {
      actual = await sha256Of(await this.store.getStream(location.bucket, location.key));
    } catch (error) {
      if (error instanceof ChecksumMismatchError) throw failed('artifact_checksum_mismatch', `content does not match the sha256 stored with the object (${error.expected})`);
      if (isNotFound(error)) throw failed('artifact_missing', 'does not exist');
      throw unavailable(where, error);
    }
    if (actual !== file.sha256) throw failed('artifact_checksum_mismatch', `sha256 is ${actual}, the registration says ${file.sha256}`);
  }
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'NotFound' || code === 'NoSuchKey' || code === 'NoSuchBucket';
}

function unavailable(where: string, cause: unknown): DomainError {
  return new DomainError('UNAVAILABLE', `could not read ${where} from S3; retry`, { reason: 's3_unavailable', cause });
}
