import { type NgramHashing } from '@kuroshio/model-runtime';
import type { SplitRule } from '../dataset/time-split.js';
import type { QuantizationDtype } from '../artifacts/weight-quantization.js';
import type { ModelFamily } from '../model/model-family.js';

export interface PlannedFeature {
  readonly featureView: string;
  readonly feature: string;
  /** 0: the current version (the feature store pins it). */
  readonly version: number;
}

export interface ResolvedHyperparameters {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly hiddenUnits: readonly number[];
  readonly dropout: number;
  readonly l2: number;
  readonly earlyStoppingPatience: number;
  readonly classWeighting: 'none' | 'balanced';
  /** Text classifier only. */
  readonly text: (NgramHashing & { readonly feature: PlannedFeature }) | null;
}

/**
 * A job spec with every default applied: what the job runs and what the registered version records
 * as its parameters. `labels` and `timeRange` are handed to the feature store as given.
 */
export interface TrainingPlan {
  readonly modelName: string;
  readonly features: readonly PlannedFeature[];
  readonly labels: unknown;
  readonly timeRange: unknown;
  readonly split: SplitRule;
  readonly family: ModelFamily;
  readonly hyperparameters: ResolvedHyperparameters;
  readonly seed: number;
  readonly decisionThreshold: number;
  readonly quantizations: readonly QuantizationDtype[];
  readonly registerVersion: boolean;
  readonly description: string;
  /** An existing export id or manifest URI; empty: export a new training set. */
  readonly trainingSet: string;
}

/** The trainer's defaults per family, recorded with every version. */
export function defaultHyperparameters(family: ModelFamily): Omit<ResolvedHyperparameters, 'text'> {
  switch (family) {
    case 'logistic_regression':
      return { epochs: 50, batchSize: 256, learningRate: 0.01, hiddenUnits: [], dropout: 0, l2: 0, earlyStoppingPatience: 5, classWeighting: 'none' };
    case 'mlp':
      return { epochs: 50, batchSize: 256, learningRate: 0.001, hiddenUnits: [64, 32], dropout: 0, l2: 1e-5, earlyStoppingPatience: 5, classWeighting: 'none' };
    case 'text_classifier':
      return { epochs: 30, batchSize: 64, learningRate: 0.005, hiddenUnits: [], dropout: 0, l2: 1e-6, earlyStoppingPatience: 3, classWeighting: 'none' };
  }
}
