import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { grpcJs } from '@kuroshio/contracts';
import type { Client } from 'minio';

const ArtifactKind = grpcJs.registry.v1.ArtifactKind;

/** A numeric input of the model: a feature of a view, standardised with `mean` and `std`. */
export interface LogisticInput {
  readonly featureView: string;
  readonly feature: string;
  readonly mean: number;
  readonly std: number;
}

/**
 * A logistic model (one dense sigmoid unit) over standardised features, saved under `root` in `bucket`
 * as the trainer saves one (model/, feature-spec/, normalizer/); returns the artifacts, with
 * checksums, to register with the model registry. Needs a tfjs backend set (`tf.setBackend('cpu')`).
 */
export async function storeLogisticVersion(s3: Client, bucket: string, root: string, inputs: readonly LogisticInput[], weights: readonly number[], bias: number) {
  const put = async (key: string, body: Buffer) => {
    await s3.putObject(bucket, `${root}/${key}`, body, body.length);
    return { sha256: createHash('sha256').update(body).digest('hex'), sizeBytes: body.length };
  };
  const layer = tf.layers.dense({ units: 1, inputShape: [inputs.length], activation: 'sigmoid', name: 'score', weights: [tf.tensor2d(weights.map((w) => [w])), tf.tensor1d([bias])] });
  let artifacts: tf.io.ModelArtifacts | undefined;
  await tf.sequential({ layers: [layer] }).save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) })));
  if (artifacts?.weightData === undefined) throw new Error('tfjs saved the model without weights');
  const weightBytes = Buffer.from(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  const modelJson = Buffer.from(JSON.stringify({ modelTopology: artifacts.modelTopology, format: 'layers-model', generatedBy: 'e2e', convertedBy: null, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] }));
  const column = (input: LogisticInput) => `${input.featureView}__${input.feature}`;
  const normaliser = { kind: 'standard-score', version: 1, columns: inputs.map((input) => ({ column: column(input), mean: input.mean, std: input.std, missingIndicator: false })), width: inputs.length };
  const spec = {
    version: 1,
    family: 'logistic_regression',
    inputWidth: inputs.length,
    label: { column: 'label', positive: 1 },
    numeric: inputs.map((input) => ({ column: column(input), featureView: input.featureView, feature: input.feature, version: 1, valueType: 'double' })),
    text: null,
    layout: 'e2e',
  };
  return [
    { kind: ArtifactKind.ARTIFACT_KIND_MODEL, uri: `s3://${bucket}/${root}/model/`, files: [{ path: 'model.json', ...(await put('model/model.json', modelJson)) }, { path: 'weights.bin', ...(await put('model/weights.bin', weightBytes)) }] },
    { kind: ArtifactKind.ARTIFACT_KIND_FEATURE_SPEC, uri: `s3://${bucket}/${root}/feature-spec/`, files: [{ path: 'feature-spec.json', ...(await put('feature-spec/feature-spec.json', Buffer.from(JSON.stringify(spec)))) }] },
    { kind: ArtifactKind.ARTIFACT_KIND_NORMALIZER, uri: `s3://${bucket}/${root}/normalizer/`, files: [{ path: 'normalizer.json', ...(await put('normalizer/normalizer.json', Buffer.from(JSON.stringify(normaliser)))) }] },
  ];
}

/** The object keys `storeLogisticVersion` writes under its root, for clean-up. */
export const LOGISTIC_VERSION_KEYS = ['model/model.json', 'model/weights.bin', 'feature-spec/feature-spec.json', 'normalizer/normalizer.json'] as const;
