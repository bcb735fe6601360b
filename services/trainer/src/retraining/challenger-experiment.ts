import { grpcNest, retrainingExperimentKey } from '@kuroshio/contracts';
import type { RetrainingPolicy } from './retraining-policy.js';

type Experiment = grpcNest.experiment.v1.Experiment;

export const CHAMPION_VARIANT = 'champion';
export const CHALLENGER_VARIANT = 'challenger';

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
