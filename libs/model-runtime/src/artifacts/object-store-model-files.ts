import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import type { ObjectStore } from '@kuroshio/object-store';

/** A file written under an artifact's prefix. */
export interface StoredFile {
  /** Relative to the artifact's prefix, e.g. `model.json`. */
  readonly path: string;
  readonly sha256: string;
  readonly sizeBytes: number;
}

/** A downloaded artifact file whose content is not what the registry recorded. */
export class ArtifactChecksumError extends Error {
  constructor(
    readonly location: string,
    readonly expected: string | undefined,
    readonly actual: string,
  ) {
    super(
      expected === undefined
        ? `${location}: not listed among the artifact's files, so its checksum cannot be verified`
        : `${location}: sha256 is ${actual}, the registry says ${expected}`,
    );
    this.name = 'ArtifactChecksumError';
  }
}

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

type Store = Pick<ObjectStore, 'put' | 'get'>;

/**
 * A TensorFlow.js IOHandler over the object store: `model.save(handler)` writes `model.json` and one
 * `weights.bin` shard under `prefix`; `tf.loadLayersModel(handler)` reads them back (quantised
 * weights are dequantised by tfjs from the manifest's `quantization` entries). The object store
 * checks each object's sha256 on read; given `expectedFiles` (the registry's list), every file read
 * must also hash to the checksum listed there.
 */
export class ObjectStoreModelFiles implements tf.io.IOHandler {
  private files: StoredFile[] = [];
  private readonly expected: ReadonlyMap<string, string> | undefined;

  constructor(
    private readonly store: Store,
    private readonly bucket: string,
    /** Key prefix ending in `/`. */
    private readonly prefix: string,
    expectedFiles?: ReadonlyArray<Pick<StoredFile, 'path' | 'sha256'>>,
  ) {
    if (!prefix.endsWith('/')) throw new Error(`model prefix must end with "/": ${prefix}`);
    this.expected = expectedFiles === undefined ? undefined : new Map(expectedFiles.map((file) => [file.path, file.sha256]));
  }

  /** The files the last save wrote. */
  get written(): readonly StoredFile[] {
    return this.files;
  }

  async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
    if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('binary model topologies are not supported');
    const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)));
    const modelJson: tf.io.ModelJSON = {
      modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'],
      format: artifacts.format ?? 'layers-model',
      generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
      convertedBy: artifacts.convertedBy ?? null,
      weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      ...(artifacts.trainingConfig === undefined ? {} : { trainingConfig: artifacts.trainingConfig }),
      ...(artifacts.userDefinedMetadata === undefined ? {} : { userDefinedMetadata: artifacts.userDefinedMetadata }),
    };
    const json = Buffer.from(JSON.stringify(modelJson), 'utf8');
    const [weightsPut, jsonPut] = [
      await this.store.put(this.bucket, this.prefix + WEIGHTS_BIN, weights, { contentType: 'application/octet-stream' }),
      await this.store.put(this.bucket, this.prefix + MODEL_JSON, json, { contentType: 'application/json' }),
    ];
    this.files = [
      { path: MODEL_JSON, sha256: jsonPut.sha256, sizeBytes: jsonPut.size },
      { path: WEIGHTS_BIN, sha256: weightsPut.sha256, sizeBytes: weightsPut.size },
    ];
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }

  async load(): Promise<tf.io.ModelArtifacts> {
    const modelJson = JSON.parse((await this.read(MODEL_JSON)).toString('utf8')) as tf.io.ModelJSON;
    const shards: Buffer[] = [];
    const weightSpecs: tf.io.WeightsManifestEntry[] = [];
    for (const group of modelJson.weightsManifest) {
      for (const path of group.paths) shards.push(await this.read(path));
      weightSpecs.push(...group.weights);
    }
    const weightData = Buffer.concat(shards);
    return tf.io.getModelArtifactsForJSON(modelJson, async () => [weightSpecs, weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength) as ArrayBuffer]);
  }

  private async read(path: string): Promise<Buffer> {
    const body = await this.store.get(this.bucket, this.prefix + path);
    if (this.expected !== undefined) {
      const expected = this.expected.get(path);
      const actual = sha256Hex(body);
      if (expected !== actual) throw new ArtifactChecksumError(`s3://${this.bucket}/${this.prefix}${path}`, expected, actual);
    }
    return body;
  }
}

/** The artifacts of a model as `model.save` would hand them to a handler. */
export async function capturedArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (captured === undefined) throw new Error('model.save produced no artifacts');
  return captured;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
