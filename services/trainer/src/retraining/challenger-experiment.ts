import { createHash } from 'node:crypto';
import { EXPERIMENT_KEY_PATTERN, grpcNest } from '@kuroshio/contracts';
import type { RetrainingPolicy } from './retraining-policy.js';

type Experiment = grpcNest.experiment.v1.Experiment;

export const CHAMPION_VARIANT = 'champion';
export const CHALLENGER_VARIANT = 'challenger';
const MAX_KEY_LENGTH = 63;

/**
 * The experiment of a challenger: `retrain-<model>-v<version>`. Derived, not stored, so a run that
 * finds a `challenger` alias knows which experiment decides it (a version is challenger at most
 * once). Long model names keep a prefix and a hash of the whole name.
 */
export function retrainingExperimentKey(modelName: string, challengerVersion: number): string {
  const suffix = `-v${challengerVersion}`;
  const plain = `retrain-${modelName}${suffix}`;
  if (plain.length <= MAX_KEY_LENGTH) return plain;
  const hash = createHash('sha256').update(modelName).digest('hex').slice(0, 8);
  const key = `retrain-${modelName.slice(0, MAX_KEY_LENGTH - 'retrain-'.length - hash.length - 1 - suffix.length)}-${hash}${suffix}`;
  if (!EXPERIMENT_KEY_PATTERN.test(key)) throw new Error(`cannot derive an experiment key for ${modelName} v${challengerVersion}`);
  return key;
}

export interface ChallengerContext {
  readonly championVersion: number;
  readonly challengerVersion: number;
  readonly trainingJobId: string;
  /** The triggers that fired, in words. */
  readonly why: string;
}

/**
 * Champion (control) against challenger, each pinned to its version: aliases move, an experiment
 * must compare fixed versions. The salt is the key, so assignment is reproducible from the log.
 */
export function challengerExperiment(policy: RetrainingPolicy, context: ChallengerContext): Experiment {
  const key = retrainingExperimentKey(policy.modelName, context.challengerVersion);
  const { experiment } = policy;
  const model = (version: number) => ({ modelName: policy.modelName, version });
  return {
    key,
    hypothesis: `${policy.modelName} v${context.challengerVersion} (retrained) improves ${experiment.rule.primaryMetric} over champion v${context.championVersion}`,
    description: `Started by continuous retraining: ${context.why}. Training job ${context.trainingJobId || 'n/a'}.`.slice(0, 2_000),
    owner: experiment.owner,
    unit: 'customer',
    salt: key,
    variants: [
      { key: CHAMPION_VARIANT, description: `champion v${context.championVersion}`, weight: experiment.championWeight, control: true, model: model(context.championVersion) },
      { key: CHALLENGER_VARIANT, description: `challenger v${context.challengerVersion}`, weight: experiment.challengerWeight, control: false, model: model(context.challengerVersion) },
    ],
    targeting: experiment.targeting,
    metrics: [...experiment.metrics],
    state: grpcNest.experiment.v1.ExperimentState.EXPERIMENT_STATE_UNSPECIFIED,
    createTime: null,
    startTime: null,
    stopTime: null,
    createdBy: '',
    stopReason: '',
    revision: 0,
  };
}
