import * as tf from '@tensorflow/tfjs';
import { grpcJs } from '@kuroshio/contracts';
import { featureSpec, fitNormaliser, modelInputBlock, ObjectStoreModelFiles, type FeatureSpec, type Normaliser, type RawModelRow } from '@kuroshio/model-runtime';
import type { ObjectStore } from '@kuroshio/object-store';

const Kind = grpcJs.registry.v1.ArtifactKind;

/** The test model's features: three numeric billing features; the second had gaps in training. */
export const TEST_FEATURES = ['billing:amount_sum_30d', 'billing:late_count_90d', 'app:logins_count_7d'] as const;

export interface StoredTestModel {
  readonly version: grpcJs.registry.v1.ModelVersion;
  readonly spec: FeatureSpec;
  readonly normaliser: Normaliser;
  /** What the model scores for rows, computed in the test process. */
  score(rows: RawModelRow[]): Promise<number[]>;
}

/**
 * A small MLP (3 features → hidden ReLU layers, [8] by default → 1) saved to S3 the way the trainer saves a job's artifacts
 * (`models/<model>/<job>/model/`, `feature-spec/`, `normalizer/`), with the files and checksums a
 * registration carries. `seed` changes the weights, so versions score differently.
 */
export async function storeTestModel(store: ObjectStore, bucket: string, modelName: string, versionNumber: number, seed: number, hiddenUnits: readonly number[] = [8]): Promise<StoredTestModel> {
  const normaliser = fitNormaliser(
    [
      { name: 'billing__amount_sum_30d', values: Float64Array.of(1000, 25_000, 90_000, 4_000) },
      { name: 'billing__late_count_90d', values: Float64Array.of(0, Number.NaN, 3, 1) },
      { name: 'app__logins_count_7d', values: Float64Array.of(2, 9, 0, 5) },
    ],
    Uint32Array.of(0, 1, 2, 3),
  );
  const column = (key: string) => {
    const [featureView, feature] = key.split(':') as [string, string];
    return { column: `${featureView}__${feature}`, featureView, feature, version: 1, valueType: 'double' };
  };
  const spec = featureSpec({ family: 'mlp', inputWidth: normaliser.width, numeric: TEST_FEATURES.map(column), text: null });
  const model = tf.sequential({
    layers: [
      ...hiddenUnits.map((units, i) =>
        tf.layers.dense({ units, ...(i === 0 ? { inputShape: [spec.inputWidth] } : {}), activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 10 * i }), name: `hidden_${i + 1}` }),
      ),
      tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), biasInitializer: tf.initializers.constant({ value: 0.1 * seed }), name: 'score' }),
    ],
  });
  const prefix = `models/${modelName}/job-${versionNumber}/`;
  const files = new ObjectStoreModelFiles(store, bucket, `${prefix}model/`);
  await model.save(files);
  const json = async (folder: string, name: string, value: unknown) => {
    const put = await store.put(bucket, `${prefix}${folder}${name}`, `${JSON.stringify(value, null, 2)}\n`, { contentType: 'application/json' });
    return { path: name, sha256: put.sha256, sizeBytes: put.size };
  };
  const specFile = await json('feature-spec/', 'feature-spec.json', spec);
  const normaliserFile = await json('normalizer/', 'normalizer.json', normaliser);
  const uri = (folder: string) => `s3://${bucket}/${prefix}${folder}`;
  const version = grpcJs.registry.v1.ModelVersion.fromPartial({
    modelName,
    version: versionNumber,
    state: grpcJs.registry.v1.ModelVersionState.MODEL_VERSION_STATE_READY,
    artifacts: [
      { kind: Kind.ARTIFACT_KIND_MODEL, uri: uri('model/'), files: files.written.map((f) => ({ ...f })) },
      { kind: Kind.ARTIFACT_KIND_FEATURE_SPEC, uri: uri('feature-spec/'), files: [specFile] },
      { kind: Kind.ARTIFACT_KIND_NORMALIZER, uri: uri('normalizer/'), files: [normaliserFile] },
    ],
  });
  return {
    version,
    spec,
    normaliser,
    score: async (rows) => {
      const block = modelInputBlock(spec, normaliser, rows);
      const output = model.predict(tf.tensor2d(block, [rows.length, spec.inputWidth])) as tf.Tensor;
      return Array.from(await output.data());
    },
  };
}
