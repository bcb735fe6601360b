import { type FeatureSpecColumn, type NgramHashing, modelInputs, type ModelInputs, fitNormaliser, type Normaliser } from '@kuroshio/model-runtime';
import type { ModelFamily } from '../model/model-family.js';
import type { TrainingSetTable } from '../training-set/training-set-table.js';
import { featureColumn, isNumericValueType, isStringValueType, type TrainingSetManifest } from '../training-set/training-set-manifest.js';
import { classWeights, rowWeights, type ClassWeights } from './class-weights.js';
import { timeSplit, type SplitRule, type TimeSplit } from './time-split.js';

export interface FeatureSelection {
  readonly family: ModelFamily;
  /** Requested features; empty: every feature of the training set the family can read. */
  readonly features: ReadonlyArray<{ featureView: string; feature: string }>;
  /** Text classifier: the string feature holding the text, and how it is hashed. */
  readonly text: ({ featureView: string; feature: string } & NgramHashing) | null;
}

/** Which training-set columns feed the model, in order. */
export interface ColumnPlan {
  readonly numeric: readonly FeatureSpecColumn[];
  readonly text: (FeatureSpecColumn & NgramHashing) | null;
}

/** Matches the requested features against the manifest; string features feed only the text classifier. */
export function planColumns(manifest: TrainingSetManifest, selection: FeatureSelection): ColumnPlan {
  const available = new Map(manifest.features.map((feature) => [feature.column, feature]));
  const requested =
    selection.features.length === 0
      ? manifest.features
      : selection.features.map((ref) => {
          const found = available.get(featureColumn(ref));
          if (found === undefined) throw new Error(`the training set has no feature ${ref.featureView}:${ref.feature}`);
          return found;
        });
  const describe = (feature: (typeof manifest.features)[number]): FeatureSpecColumn => ({
    column: feature.column,
    featureView: feature.featureView,
    feature: feature.feature,
    version: feature.version,
    valueType: feature.valueType,
  });
  let text: ColumnPlan['text'] = null;
  if (selection.family === 'text_classifier') {
    if (selection.text === null) throw new Error('the text classifier needs hyperparameters.text.feature');
    const found = available.get(featureColumn(selection.text));
    if (found === undefined) throw new Error(`the training set has no feature ${selection.text.featureView}:${selection.text.feature}`);
    if (!isStringValueType(found.valueType)) throw new Error(`text feature ${found.column} is ${found.valueType}, not a string`);
    text = { ...describe(found), ngramMin: selection.text.ngramMin, ngramMax: selection.text.ngramMax, buckets: selection.text.buckets };
  }
  const numeric = requested.filter((feature) => isNumericValueType(feature.valueType)).map(describe);
  const strings = requested.filter((feature) => !isNumericValueType(feature.valueType) && feature.column !== text?.column);
  if (selection.features.length > 0 && strings.length > 0) {
    throw new Error(`feature(s) ${strings.map((f) => f.column).join(', ')} are strings: only the text classifier reads a string feature (hyperparameters.text)`);
  }
  if (numeric.length === 0 && text === null) throw new Error('no numeric feature to train on');
  return { numeric, text };
}

export interface PreparedDataset {
  readonly split: TimeSplit;
  readonly normaliser: Normaliser;
  readonly inputs: ModelInputs;
  readonly labels: Float64Array;
  readonly weights: Float32Array;
  readonly classWeights: ClassWeights;
}

/** Time split, normaliser fitted on the training rows only, model inputs and class weights. */
export function prepareDataset(table: TrainingSetTable, columns: ColumnPlan, rule: SplitRule, weighting: 'none' | 'balanced'): PreparedDataset {
  for (let i = 0; i < table.rowCount; i++) {
    const label = table.labels[i] as number;
    if (label !== 0 && label !== 1) throw new Error(`row ${i} has label ${label}: binary classification needs 0 or 1`);
  }
  const split = timeSplit(table.labelTimesMs, table.entityIds, rule);
  if (split.train.length === 0) {
    const embargoed = split.embargoedTrainRows > 0 ? ` after the embargo of ${split.embargoMs / 86_400_000} days dropped all ${split.embargoedTrainRows} training rows (their labels are decided after the next split starts)` : '';
    throw new Error(`the training split is empty${embargoed}`);
  }
  if (split.test.length === 0) throw new Error('the test split is empty');
  const numericValues = columns.numeric.map((column) => table.numeric.get(column.column) as Float64Array);
  const normaliser = fitNormaliser(
    columns.numeric.map((column, i) => ({ name: column.column, values: numericValues[i] as Float64Array })),
    split.train,
  );
  const inputs = modelInputs({
    normaliser,
    numericValues,
    text: columns.text === null ? undefined : { values: table.text.get(columns.text.column) ?? [], hashing: columns.text },
  });
  const weights = classWeights(table.labels, split.train, weighting);
  return { split, normaliser, inputs, labels: table.labels, weights: rowWeights(table.labels, weights), classWeights: weights };
}
