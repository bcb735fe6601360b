import * as tf from '@tensorflow/tfjs';
import { derivedSeed } from '../dataset/seeded-random.js';

export type { ModelFamily } from '@kuroshio/model-runtime';

/**
 * A binary classifier: dense layers (ReLU) then one sigmoid unit. Logistic regression is the case
 * without hidden layers; the text classifier is either over the hashed n-gram vector. Every
 * initialiser is seeded from the job seed, so the same seed gives the same starting weights.
 */
export function buildClassifier(inputWidth: number, hiddenUnits: readonly number[], seed: number): tf.Sequential {
  const model = tf.sequential();
  hiddenUnits.forEach((units, layer) => {
    model.add(
      tf.layers.dense({
        units,
        activation: 'relu',
        kernelInitializer: tf.initializers.heUniform({ seed: derivedSeed(seed, layer) }),
        biasInitializer: 'zeros',
        ...(layer === 0 ? { inputShape: [inputWidth] } : {}),
        name: `hidden_${layer + 1}`,
      }),
    );
  });
  model.add(
    tf.layers.dense({
      units: 1,
      activation: 'sigmoid',
      kernelInitializer: tf.initializers.glorotUniform({ seed: derivedSeed(seed, hiddenUnits.length) }),
      biasInitializer: 'zeros',
      ...(hiddenUnits.length === 0 ? { inputShape: [inputWidth] } : {}),
      name: 'score',
    }),
  );
  return model;
}
