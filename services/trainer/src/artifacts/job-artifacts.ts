import type * as tf from '@tensorflow/tfjs';
import type { ObjectStore } from '@kuroshio/object-store';
import { s3Uri } from '../training-set/s3-uri.js';
import { ObjectStoreModelFiles, type StoredFile } from '@kuroshio/model-runtime';

export type ArtifactKind = 'MODEL' | 'MODEL_QUANTIZED_UINT8' | 'MODEL_QUANTIZED_FLOAT16' | 'FEATURE_SPEC' | 'NORMALIZER' | 'MANIFEST';

/** One registered artifact: files under `uri` (a prefix ending in `/`). */
export interface StoredArtifact {
  readonly kind: ArtifactKind;
  readonly uri: string;
  readonly files: readonly StoredFile[];
  readonly metrics: Readonly<Record<string, number>>;
}

/** Where a job's artifacts live: `models/<model>/<jobId>/` in the models bucket. */
export function jobArtifactPrefix(modelName: string, jobId: string): string {
  return `models/${modelName}/${jobId}/`;
}

/** Folder of each kind under the job prefix. */
export const ARTIFACT_FOLDERS: Record<Exclude<ArtifactKind, 'MANIFEST'>, string> = {
  MODEL: 'model/',
  MODEL_QUANTIZED_UINT8: 'model-uint8/',
  MODEL_QUANTIZED_FLOAT16: 'model-float16/',
  FEATURE_SPEC: 'feature-spec/',
  NORMALIZER: 'normalizer/',
};

export const MANIFEST_FILE = 'manifest.json';

/** Writes a job's artifacts one by one and, last, manifest.json listing every file with its checksum. */
export class JobArtifactWriter {
  private readonly artifacts: StoredArtifact[] = [];

  constructor(
    private readonly store: ObjectStore,
    private readonly bucket: string,
    /** `models/<model>/<jobId>/`. */
    readonly prefix: string,
  ) {}

  uri(folder = ''): string {
    return s3Uri(this.bucket, this.prefix + folder);
  }

  /** A model folder (model.json + weights.bin), e.g. the full-precision or a quantised copy. */
  async writeModel(kind: 'MODEL' | 'MODEL_QUANTIZED_UINT8' | 'MODEL_QUANTIZED_FLOAT16', artifacts: tf.io.ModelArtifacts, metrics: Record<string, number>): Promise<StoredArtifact> {
    const folder = ARTIFACT_FOLDERS[kind];
    const files = new ObjectStoreModelFiles(this.store, this.bucket, this.prefix + folder);
    await files.save(artifacts);
    return this.add({ kind, uri: this.uri(folder), files: files.written, metrics });
  }

  async writeJson(kind: 'FEATURE_SPEC' | 'NORMALIZER', fileName: string, value: unknown): Promise<StoredArtifact> {
    const folder = ARTIFACT_FOLDERS[kind];
    const put = await this.store.put(this.bucket, this.prefix + folder + fileName, `${JSON.stringify(value, null, 2)}\n`, { contentType: 'application/json' });
    return this.add({ kind, uri: this.uri(folder), files: [{ path: fileName, sha256: put.sha256, sizeBytes: put.size }], metrics: {} });
  }

  /** manifest.json at the job prefix: every other artifact's files (paths relative to the prefix) with sha256 and size. */
  async writeManifest(header: Record<string, unknown>): Promise<StoredArtifact> {
    const manifest = {
      ...header,
      files: this.artifacts.flatMap((artifact) =>
        artifact.files.map((file) => ({ kind: artifact.kind, path: relativePath(this.uri(), artifact.uri) + file.path, sha256: file.sha256, sizeBytes: file.sizeBytes })),
      ),
      artifacts: this.artifacts.map((artifact) => ({ kind: artifact.kind, uri: artifact.uri, metrics: artifact.metrics })),
    };
    const put = await this.store.put(this.bucket, this.prefix + MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`, { contentType: 'application/json' });
    return this.add({ kind: 'MANIFEST', uri: this.uri(), files: [{ path: MANIFEST_FILE, sha256: put.sha256, sizeBytes: put.size }], metrics: {} });
  }

  get written(): readonly StoredArtifact[] {
    return this.artifacts;
  }

  private add(artifact: StoredArtifact): StoredArtifact {
    this.artifacts.push(artifact);
    return artifact;
  }
}

function relativePath(root: string, uri: string): string {
  if (!uri.startsWith(root)) throw new Error(`${uri} is not under ${root}`);
  return uri.slice(root.length);
}
