import * as tf from '@tensorflow/tfjs';
import type { ObjectStore } from '@kuroshio/object-store';
import { ArtifactChecksumError, ObjectStoreModelFiles, sha256Hex, type FeatureSpec, type Normaliser } from '@kuroshio/model-runtime';
import { z } from 'zod';
import { inferenceError, unavailable } from '../domain/inference-errors.js';
import type { LoadedModel, ModelLoader, VersionArtifacts } from '../domain/serving-model.js';
import type { ServedArtifactChoice } from '../inference-settings.js';

const MODEL_KIND: Record<ServedArtifactChoice, VersionArtifacts['artifacts'][number]['kind']> = {
  full: 'MODEL',
  'quantized-uint8': 'MODEL_QUANTIZED_UINT8',
  'quantized-float16': 'MODEL_QUANTIZED_FLOAT16',
};

const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.*)$/;

const column = z.object({ column: z.string(), featureView: z.string().min(1), feature: z.string().min(1), version: z.number().int().nonnegative(), valueType: z.string() });
const featureSpecSchema = z.object({
  version: z.literal(1),
  family: z.enum(['logistic_regression', 'mlp', 'text_classifier']),
  inputWidth: z.number().int().min(1),
  numeric: z.array(column),
  text: column.extend({ ngramMin: z.number().int().min(1), ngramMax: z.number().int().min(1), buckets: z.number().int().min(1) }).passthrough().nullable(),
}).passthrough();
const normaliserSchema = z.object({
  kind: z.literal('standard-score'),
  version: z.literal(1),
  columns: z.array(z.object({ column: z.string(), mean: z.number(), std: z.number().positive(), missingIndicator: z.boolean() })),
  width: z.number().int().min(0),
});

type Store = Pick<ObjectStore, 'get' | 'put'>;

/**
 * Loads a registered version from S3: the configured model artifact (full or quantised), its
 * feature spec and normaliser, every file checked against the sha256 the registry holds for it.
 */
export class S3ModelLoader implements ModelLoader {
  constructor(
    private readonly store: Store,
    private readonly artifact: ServedArtifactChoice,
  ) {}

  async load(version: VersionArtifacts): Promise<LoadedModel> {
    const label = `${version.modelName} version ${version.version}`;
    const find = (kind: VersionArtifacts['artifacts'][number]['kind']) => {
      const found = version.artifacts.find((a) => a.kind === kind);
      if (found === undefined) throw inferenceError('FAILED_PRECONDITION', 'artifact_missing', `${label} has no ${kind} artifact (INFERENCE_ARTIFACT=${this.artifact})`);
      return found;
    };
    const modelArtifact = find(MODEL_KIND[this.artifact]);
    try {
      const spec = featureSpecSchema.parse(await this.#json(find('FEATURE_SPEC'))) as unknown as FeatureSpec;
      const normaliser = normaliserSchema.parse(await this.#json(find('NORMALIZER'))) as Normaliser;
      const expectedWidth = normaliser.width + (spec.text?.buckets ?? 0);
      if (normaliser.columns.length !== spec.numeric.length || expectedWidth !== spec.inputWidth) {
        throw new Error(`feature spec (${spec.numeric.length} numeric, width ${spec.inputWidth}) and normaliser (${normaliser.columns.length} columns, width ${normaliser.width}) disagree`);
      }
      const { bucket, prefix } = location(modelArtifact.uri);
      const model = await tf.loadLayersModel(new ObjectStoreModelFiles(this.store, bucket, prefix, modelArtifact.files));
      const inputWidth = model.inputs[0]?.shape[1];
      if (inputWidth !== spec.inputWidth) {
        model.dispose();
        throw new Error(`the model takes ${inputWidth} inputs, its feature spec says ${spec.inputWidth}`);
      }
      return new TfjsLoadedModel(version.modelName, version.version, this.artifact, spec, normaliser, model);
    } catch (error) {
      if (error instanceof ArtifactChecksumError) throw inferenceError('FAILED_PRECONDITION', 'artifact_checksum_mismatch', `${label}: ${error.message}`);
      if (error instanceof z.ZodError || (error instanceof Error && /disagree|takes \d+ inputs/.test(error.message))) {
        throw inferenceError('FAILED_PRECONDITION', 'artifact_invalid', `${label}: ${error.message}`);
      }
      throw unavailable('artifact_unavailable', `${label}: could not read its artifacts from S3; retry`, error);
    }
  }

  async #json(artifact: VersionArtifacts['artifacts'][number]): Promise<unknown> {
    const file = artifact.files.find((f) => f.path.endsWith('.json'));
    if (file === undefined) throw new Error(`${artifact.kind} artifact lists no JSON file`);
    const { bucket, prefix } = location(artifact.uri);
    const body = await this.store.get(bucket, prefix + file.path);
    const actual = sha256Hex(body);
    if (actual !== file.sha256) throw new ArtifactChecksumError(`s3://${bucket}/${prefix}${file.path}`, file.sha256, actual);
    return JSON.parse(body.toString('utf8'));
  }
}

function location(uri: string): { bucket: string; prefix: string } {
  const match = S3_URI.exec(uri);
  if (match === null) throw inferenceError('FAILED_PRECONDITION', 'artifact_uri_invalid', `artifact uri ${JSON.stringify(uri.slice(0, 200))} is not s3://bucket/prefix`);
  const prefix = match[2] ?? '';
  return { bucket: match[1] as string, prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
}

/** A TensorFlow.js layers model behind the LoadedModel interface. */
export class TfjsLoadedModel implements LoadedModel {
  constructor(
    readonly modelName: string,
    readonly version: number,
    readonly artifact: ServedArtifactChoice,
    readonly spec: FeatureSpec,
    readonly normaliser: Normaliser,
    private readonly model: tf.LayersModel,
  ) {}

  async score(inputs: Float32Array, rows: number): Promise<Float32Array> {
    // The layers' forward pass in inference mode, in one pass over the block: predict() would add its
    // input standardisation and batch loop (default batch size 32), several times the cost of a
    // micro-batch of a few rows.
    const output = tf.tidy(() => this.model.apply(tf.tensor2d(inputs, [rows, this.spec.inputWidth]), { training: false }) as tf.Tensor);
    try {
      return (await output.data()) as Float32Array;
    } finally {
      output.dispose();
    }
  }

  dispose(): void {
    this.model.dispose();
  }
}
