import { grpcNest, timestampFromDate } from '@kuroshio/contracts';
import type { RetrainingOutcome, RetrainingRun } from './retraining-runner.js';
import type { TriggerEvaluation } from './trigger-evaluation.js';

const Outcome = grpcNest.trainer.v1.RetrainingOutcome;

const OUTCOMES: Record<RetrainingOutcome, grpcNest.trainer.v1.RetrainingOutcome> = {
  no_trigger: Outcome.RETRAINING_OUTCOME_NO_TRIGGER,
  challenger_launched: Outcome.RETRAINING_OUTCOME_CHALLENGER_LAUNCHED,
  experiment_running: Outcome.RETRAINING_OUTCOME_EXPERIMENT_RUNNING,
  challenger_promoted: Outcome.RETRAINING_OUTCOME_CHALLENGER_PROMOTED,
  challenger_retired: Outcome.RETRAINING_OUTCOME_CHALLENGER_RETIRED,
  training_failed: Outcome.RETRAINING_OUTCOME_TRAINING_FAILED,
};

/** A run as RunRetrainingCycle answers it. */
export function protoRetrainingRun(run: RetrainingRun): grpcNest.trainer.v1.RetrainingRun {
  return {
    runId: run.runId,
    modelName: run.modelName,
    outcome: OUTCOMES[run.outcome],
    triggers: run.triggers.map(protoTrigger),
    championVersion: run.championVersion,
    challengerVersion: run.challengerVersion,
    trainingJobId: run.trainingJobId,
    experimentKey: run.experimentKey,
    reasons: [...run.reasons],
    startTime: timestampFromDate(new Date(run.startMs)),
    endTime: timestampFromDate(new Date(run.endMs)),
  };
}

function protoTrigger(evaluation: TriggerEvaluation): grpcNest.trainer.v1.TriggerEvaluation {
  return {
    trigger: evaluation.trigger,
    evaluated: evaluation.evaluated,
    fired: evaluation.fired,
    value: evaluation.value,
    threshold: evaluation.threshold,
    detail: evaluation.detail,
    drift: evaluation.drift.map((m) => ({ name: m.name, psi: m.psi, referenceCount: m.referenceCount, recentCount: m.recentCount })),
  };
}
