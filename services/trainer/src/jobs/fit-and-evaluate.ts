import type * as tf from '@tensorflow/tfjs';
import { planColumns, prepareDataset, type ColumnPlan, type PreparedDataset } from '../dataset/prepare-dataset.js';
import { evaluateScores, type Evaluation } from '../evaluation/evaluate-scores.js';
import { featureSpec, type FeatureSpec } from '@kuroshio/model-runtime';
import { batchValuesProblem } from '../model/batch-values.js';
import { buildClassifier } from '../model/model-family.js';
import { predictScores, trainClassifier, type EpochReport, type TrainingOutcome } from '../model/training-loop.js';
import type { TrainingSetManifest } from '../training-set/training-set-manifest.js';
import { readTrainingSetTable, type TrainingSetTable } from '../training-set/training-set-table.js';
import type { TrainingPlan } from './training-plan.js';

export interface FittedModel {
  readonly model: tf.Sequential;
  readonly columns: ColumnPlan;
  readonly dataset: PreparedDataset;
  readonly featureSpec: FeatureSpec;
  readonly outcome: TrainingOutcome;
  readonly testLabels: Float32Array;
  readonly testScores: Float32Array;
  readonly evaluation: Evaluation;
}

export interface FitHooks {
  readonly shouldStop?: () => boolean;
  readonly onEpoch?: (report: EpochReport) => void;
}

type FitPlan = Pick<TrainingPlan, 'family' | 'features' | 'hyperparameters' | 'split' | 'seed' | 'decisionThreshold'>;

/** Reads the columns the plan needs from a training set's Parquet bytes. */
export async function readPlannedTable(data: Uint8Array, manifest: TrainingSetManifest, plan: FitPlan): Promise<{ table: TrainingSetTable; columns: ColumnPlan }> {
  const columns = planColumns(manifest, { family: plan.family, features: plan.features, text: textSelection(plan) });
  const table = await readTrainingSetTable(data, { numeric: columns.numeric.map((c) => c.column), text: columns.text === null ? [] : [columns.text.column] });
  return { table, columns };
}

/** Split, normalise, train with early stopping and score the test split: a training job without I/O. */
export async function fitAndEvaluate(table: TrainingSetTable, columns: ColumnPlan, plan: FitPlan, hooks: FitHooks = {}): Promise<FittedModel> {
  const hp = plan.hyperparameters;
  const dataset = prepareDataset(table, columns, plan.split, hp.classWeighting);
  const batchProblem = batchValuesProblem(hp.batchSize, dataset.inputs.width);
  if (batchProblem !== undefined) throw new Error(batchProblem);
  const model = buildClassifier(dataset.inputs.width, hp.hiddenUnits, plan.seed);
  const outcome = await trainClassifier(
    model,
    { inputs: dataset.inputs, labels: dataset.labels, weights: dataset.weights, train: dataset.split.train, validation: dataset.split.validation },
    { epochs: hp.epochs, batchSize: hp.batchSize, learningRate: hp.learningRate, dropout: hp.dropout, l2: hp.l2, patience: hp.earlyStoppingPatience, seed: plan.seed },
    hooks,
  );
  const testLabels = Float32Array.from(dataset.split.test, (row) => dataset.labels[row] as number);
  const testScores = predictScores(model, dataset.inputs, dataset.split.test);
  return {
    model,
    columns,
    dataset,
    featureSpec: featureSpec({ family: plan.family, inputWidth: dataset.inputs.width, numeric: columns.numeric, text: columns.text }),
    outcome,
    testLabels,
    testScores,
    evaluation: evaluateScores(testLabels, testScores, plan.decisionThreshold),
  };
}

function textSelection(plan: FitPlan) {
  const text = plan.hyperparameters.text;
  if (text === null) return null;
  return { featureView: text.feature.featureView, feature: text.feature.feature, ngramMin: text.ngramMin, ngramMax: text.ngramMax, buckets: text.buckets };
}
