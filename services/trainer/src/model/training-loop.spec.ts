import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { modelInputs, fitNormaliser, useBackend } from '@kuroshio/model-runtime';
import { seededRandom } from '../dataset/seeded-random.js';
import { buildClassifier } from './model-family.js';
import { predictScores, trainClassifier, type TrainingRows } from './training-loop.js';
import { rocAuc } from '../evaluation/roc-auc.js';

/** Rows with a logistic ground truth over 4 features. */
function syntheticRows(n: number, seed: number): TrainingRows {
  const random = seededRandom(seed);
  const columns = Array.from({ length: 4 }, () => new Float64Array(n));
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let logit = -1;
    columns.forEach((column, j) => {
      column[i] = (random() - 0.5) * 4;
      logit += (j % 2 === 0 ? 1.5 : -1) * (column[i] as number);
    });
    labels[i] = random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
  }
  const train = Uint32Array.from({ length: Math.floor(n * 0.8) }, (_, i) => i);
  const validation = Uint32Array.from({ length: n - train.length }, (_, i) => train.length + i);
  const normaliser = fitNormaliser(columns.map((values, j) => ({ name: `f${j}`, values })), train);
  return { inputs: modelInputs({ normaliser, numericValues: columns }), labels, weights: new Float32Array(n).fill(1), train, validation };
}

/** Unweighted mean binary cross-entropy, probabilities clipped as the training loop clips them. */
function meanLogLoss(labels: readonly number[], scores: Float32Array): number {
  let sum = 0;
  labels.forEach((label, i) => {
    const p = Math.min(1 - 1e-7, Math.max(1e-7, scores[i] as number));
    sum -= label > 0.5 ? Math.log(p) : Math.log(1 - p);
  });
  return sum / labels.length;
}

const settings = { epochs: 4, batchSize: 32, learningRate: 0.01, dropout: 0.2, l2: 1e-4, patience: 0, seed: 42 };

async function trainedWeights(rows: TrainingRows, seed: number): Promise<Float32Array[]> {
  const model = buildClassifier(rows.inputs.width, [8], seed);
  await trainClassifier(model, rows, { ...settings, seed });
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  model.dispose();
  return weights;
}

afterAll(async () => {
  await useBackend('cpu');
});

describe('trainClassifier', () => {
  it.each(['cpu', 'wasm'] as const)('gives identical weights for the same seed on the %s backend, different ones for another seed', async (backend) => {
    await useBackend(backend);
    const rows = syntheticRows(400, 1);
    const first = await trainedWeights(rows, 42);
    const second = await trainedWeights(rows, 42);
    const other = await trainedWeights(rows, 43);
    expect(second).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('learns the signal and restores the best epoch when it stops early', async () => {
    await useBackend('cpu');
    const rows = syntheticRows(1_000, 2);
    const model = buildClassifier(rows.inputs.width, [], 5);
    const outcome = await trainClassifier(model, rows, { ...settings, epochs: 60, dropout: 0, patience: 2, learningRate: 0.05 });
    expect(outcome.stoppedEarly).toBe(true);
    expect(outcome.epochsRun).toBeLessThan(60);
    // It trained past the best epoch, and the last epoch's weights score measurably worse.
    expect(outcome.epochsRun - outcome.bestEpoch).toBe(2);
    const bestValLoss = outcome.history[outcome.bestEpoch - 1]!.valLoss;
    const lastValLoss = outcome.history[outcome.epochsRun - 1]!.valLoss;
    expect(lastValLoss - bestValLoss).toBeGreaterThan(1e-4);
    const scores = predictScores(model, rows.inputs, rows.validation);
    const labels = Array.from(rows.validation, (r) => rows.labels[r] as number);
    expect(rocAuc(labels, scores)).toBeGreaterThan(0.85);
    // The returned model holds the best epoch's weights: its validation loss is that epoch's, not the last one's.
    expect(Math.abs(meanLogLoss(labels, scores) - bestValLoss)).toBeLessThan(1e-6);
    model.dispose();
  });

  it('fails with the reason when the model scores the validation split non-finite (diverged)', async () => {
    await useBackend('cpu');
    const rows = syntheticRows(200, 6);
    const model = buildClassifier(rows.inputs.width, [4], 1);
    const nan = model.getWeights().map((w) => tf.fill(w.shape, Number.NaN));
    model.setWeights(nan);
    tf.dispose(nan);
    await expect(trainClassifier(model, rows, { ...settings, epochs: 3 })).rejects.toThrow(/non-finite scores \(40 of 40 validation \(epoch 1\) rows.*lower learning rate/);
    model.dispose();
  });

  it('stops after the batch during which it was asked to', async () => {
    await useBackend('cpu');
    const rows = syntheticRows(400, 3);
    const model = buildClassifier(rows.inputs.width, [4], 1);
    let batches = 0;
    const outcome = await trainClassifier(model, rows, { ...settings, epochs: 100 }, { shouldStop: () => ++batches >= 3 });
    expect(outcome.stopped).toBe(true);
    expect(batches).toBe(3);
    expect(outcome.epochsRun).toBe(0);
    model.dispose();
  });

  it('keeps no tensors alive between jobs', async () => {
    await useBackend('cpu');
    const rows = syntheticRows(200, 4);
    const before = tf.memory().numTensors;
    const model = buildClassifier(rows.inputs.width, [4], 1);
    await trainClassifier(model, rows, { ...settings, epochs: 2, patience: 1 });
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
