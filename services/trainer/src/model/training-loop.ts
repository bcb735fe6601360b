import * as tf from '@tensorflow/tfjs';
import { denseBatch, type ModelInputs } from '@kuroshio/model-runtime';
import { derivedSeed, seededRandom, shuffleInPlace } from '../dataset/seeded-random.js';
import { assertFiniteScores } from '../evaluation/finite-scores.js';
import { predictionBatchRows } from './batch-values.js';
import { rocAuc } from '../evaluation/roc-auc.js';

export interface TrainingSettings {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly dropout: number;
  readonly l2: number;
  /** Epochs without validation-loss improvement before stopping; 0 disables early stopping. */
  readonly patience: number;
  readonly seed: number;
}

export interface TrainingRows {
  readonly inputs: ModelInputs;
  readonly labels: Float64Array;
  /** Loss weight of each row (class weighting); indexed like labels. */
  readonly weights: Float32Array;
  readonly train: Uint32Array;
  readonly validation: Uint32Array;
}

export interface EpochReport {
  readonly epoch: number;
  readonly loss: number;
  /** NaN without a validation set. */
  readonly valLoss: number;
  readonly valAuc: number;
}

export interface TrainingHooks {
  /** Checked after every batch: true stops training (the job was cancelled). */
  readonly shouldStop?: () => boolean;
  readonly onEpoch?: (report: EpochReport) => void;
}

export interface TrainingOutcome {
  readonly history: readonly EpochReport[];
  readonly epochsRun: number;
  /** Epoch whose weights the model holds (the best validation loss), 1-based. */
  readonly bestEpoch: number;
  readonly stoppedEarly: boolean;
  readonly stopped: boolean;
  /** Training rows per second of training-step time (excluding validation). */
  readonly samplesPerSecond: number;
}

const MIN_IMPROVEMENT = 1e-5;

/**
 * Mini-batch Adam on the weighted binary cross-entropy plus an L2 penalty on the kernels. Rows are
 * shuffled each epoch with a seeded generator and dropout masks are seeded per batch, so a seed
 * decides the whole run. After every batch the loop yields to the event loop (gRPC, health checks
 * and cancellation stay responsive) and honours a stop request. With patience > 0 it stops after that
 * many epochs without improving the validation loss and restores the best epoch's weights.
 */
export async function trainClassifier(model: tf.Sequential, rows: TrainingRows, settings: TrainingSettings, hooks: TrainingHooks = {}): Promise<TrainingOutcome> {
  const optimizer = tf.train.adam(settings.learningRate);
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const kernels = model.trainableWeights.filter((weight) => weight.originalName.endsWith('kernel')).map((weight) => weight.read());
  const order = Uint32Array.from(rows.train);
  const random = seededRandom(derivedSeed(settings.seed, 1_000));
  const history: EpochReport[] = [];
  let best: { loss: number; epoch: number; weights: tf.Tensor[] } | undefined;
  let stopped = false;
  let stoppedEarly = false;
  let trainingMs = 0;
  let trainedRows = 0;
  try {
    for (let epoch = 1; epoch <= settings.epochs && !stopped; epoch++) {
      shuffleInPlace(order, random);
      let lossSum = 0;
      for (let from = 0; from < order.length; from += settings.batchSize) {
        const to = Math.min(order.length, from + settings.batchSize);
        const started = performance.now();
        const cost = tf.tidy(() => {
          const xs = tf.tensor2d(denseBatch(rows.inputs, order, from, to), [to - from, rows.inputs.width]);
          const ys = tf.tensor2d(pick(rows.labels, order, from, to), [to - from, 1]);
          const ws = tf.tensor2d(pick(rows.weights, order, from, to), [to - from, 1]);
          const batchSeed = derivedSeed(settings.seed, epoch * 1_000_003 + from);
          return optimizer.minimize(() => batchLoss(model, xs, ys, ws, kernels, settings, batchSeed), true, variables) as tf.Scalar;
        });
        lossSum += ((await cost.data())[0] as number) * (to - from);
        cost.dispose();
        trainingMs += performance.now() - started;
        trainedRows += to - from;
        await yieldToEventLoop();
        if (hooks.shouldStop?.() === true) {
          stopped = true;
          break;
        }
      }
      if (stopped) break;
      const report = validationReport(model, rows, epoch, lossSum / Math.max(1, order.length), settings.batchSize);
      history.push(report);
      hooks.onEpoch?.(report);
      const monitored = Number.isNaN(report.valLoss) ? report.loss : report.valLoss;
      if (best === undefined || monitored < best.loss - MIN_IMPROVEMENT) {
        best?.weights.forEach((weight) => weight.dispose());
        best = { loss: monitored, epoch, weights: model.getWeights().map((weight) => weight.clone()) };
      } else if (settings.patience > 0 && epoch - best.epoch >= settings.patience) {
        stoppedEarly = true;
        break;
      }
    }
    if (best !== undefined && settings.patience > 0) model.setWeights(best.weights);
  } finally {
    best?.weights.forEach((weight) => weight.dispose());
    optimizer.dispose();
  }
  return {
    history,
    epochsRun: history.length,
    bestEpoch: settings.patience > 0 ? (best?.epoch ?? 0) : history.length,
    stoppedEarly,
    stopped,
    samplesPerSecond: trainingMs > 0 ? trainedRows / (trainingMs / 1000) : 0,
  };
}

function batchLoss(model: tf.Sequential, xs: tf.Tensor2D, ys: tf.Tensor2D, ws: tf.Tensor2D, kernels: tf.Tensor[], settings: TrainingSettings, seed: number): tf.Scalar {
  let h: tf.Tensor = xs;
  model.layers.forEach((layer, i) => {
    h = layer.apply(h) as tf.Tensor;
    const hidden = i < model.layers.length - 1;
    if (hidden && settings.dropout > 0) h = tf.dropout(h, settings.dropout, undefined, derivedSeed(seed, i));
  });
  const loss = weightedBinaryCrossEntropy(ys, h, ws);
  if (settings.l2 <= 0 || kernels.length === 0) return loss;
  return loss.add(tf.addN(kernels.map((kernel) => tf.sum(tf.square(kernel)))).mul(settings.l2)) as tf.Scalar;
}

const EPSILON = 1e-7;

/** mean(w · −[y·log p + (1−y)·log(1−p)]), p clipped as Keras does. */
export function weightedBinaryCrossEntropy(labels: tf.Tensor, probabilities: tf.Tensor, weights: tf.Tensor): tf.Scalar {
  const p = tf.clipByValue(probabilities, EPSILON, 1 - EPSILON);
  const perRow = tf.neg(tf.add(tf.mul(labels, tf.log(p)), tf.mul(tf.sub(1, labels), tf.log(tf.sub(1, p)))));
  return tf.mean(tf.mul(perRow, weights));
}

function validationReport(model: tf.Sequential, rows: TrainingRows, epoch: number, loss: number, batchSize: number): EpochReport {
  if (rows.validation.length === 0) return { epoch, loss, valLoss: Number.NaN, valAuc: Number.NaN };
  const scores = predictScores(model, rows.inputs, rows.validation, batchSize);
  assertFiniteScores(scores, `validation (epoch ${epoch})`);
  const labels = pick(rows.labels, rows.validation, 0, rows.validation.length);
  const weights = pick(rows.weights, rows.validation, 0, rows.validation.length);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    const p = Math.min(1 - EPSILON, Math.max(EPSILON, scores[i] as number));
    sum -= (weights[i] as number) * ((labels[i] as number) > 0.5 ? Math.log(p) : Math.log(1 - p));
  }
  return { epoch, loss, valLoss: sum / scores.length, valAuc: rocAuc(labels, scores) };
}

/** Scores of the given rows, predicted in batches (fewer rows per batch for wide inputs: MAX_BATCH_VALUES). */
export function predictScores(model: tf.LayersModel, inputs: ModelInputs, rows: ArrayLike<number>, preferredBatchSize = 1024): Float32Array {
  const batchSize = predictionBatchRows(inputs.width, preferredBatchSize);
  const scores = new Float32Array(rows.length);
  for (let from = 0; from < rows.length; from += batchSize) {
    const to = Math.min(rows.length, from + batchSize);
    const batch = tf.tidy(() => {
      const xs = tf.tensor2d(denseBatch(inputs, rows, from, to), [to - from, inputs.width]);
      return (model.predict(xs) as tf.Tensor).dataSync();
    });
    scores.set(batch, from);
  }
  return scores;
}

function pick(values: Float64Array | Float32Array, rows: ArrayLike<number>, from: number, to: number): Float32Array {
  const picked = new Float32Array(to - from);
  for (let i = from; i < to; i++) picked[i - from] = values[rows[i] as number] as number;
  return picked;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
