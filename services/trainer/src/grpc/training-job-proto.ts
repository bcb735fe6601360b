import { grpcNest, timestampFromDate } from '@kuroshio/contracts';
import { assertUnreachable } from '@kuroshio/service-kit';
import { protoArtifact } from '../registry/model-registry-client.js';
import type { JobProgress, JobResult, JobState, TrainingJobRecord, TrainingStage } from '../jobs/training-job.js';

type ProtoJob = grpcNest.trainer.v1.TrainingJob;
const State = grpcNest.trainer.v1.JobState;
const Stage = grpcNest.trainer.v1.TrainingStage;

export function protoJobState(state: JobState): grpcNest.trainer.v1.JobState {
  switch (state) {
    case 'queued':
      return State.JOB_STATE_QUEUED;
    case 'running':
      return State.JOB_STATE_RUNNING;
    case 'succeeded':
      return State.JOB_STATE_SUCCEEDED;
    case 'failed':
      return State.JOB_STATE_FAILED;
    case 'cancelling':
      return State.JOB_STATE_CANCELLING;
    case 'cancelled':
      return State.JOB_STATE_CANCELLED;
    default:
      return assertUnreachable(state);
  }
}

export function jobStateFromProto(state: grpcNest.trainer.v1.JobState): JobState | undefined {
  const states: JobState[] = ['queued', 'running', 'succeeded', 'failed', 'cancelling', 'cancelled'];
  return states.find((candidate) => protoJobState(candidate) === state);
}

function protoStage(stage: TrainingStage): grpcNest.trainer.v1.TrainingStage {
  switch (stage) {
    case 'building_training_set':
      return Stage.TRAINING_STAGE_BUILDING_TRAINING_SET;
    case 'training':
      return Stage.TRAINING_STAGE_TRAINING;
    case 'evaluating':
      return Stage.TRAINING_STAGE_EVALUATING;
    case 'uploading_artifacts':
      return Stage.TRAINING_STAGE_UPLOADING_ARTIFACTS;
    case 'registering':
      return Stage.TRAINING_STAGE_REGISTERING;
    default:
      return assertUnreachable(stage);
  }
}

function protoProgress(progress: JobProgress): grpcNest.trainer.v1.TrainingProgress {
  return {
    stage: protoStage(progress.stage),
    epoch: progress.epoch,
    maxEpochs: progress.maxEpochs,
    fractionComplete: progress.fractionComplete,
    latestMetrics: { ...progress.latestMetrics },
    updateTime: timestampFromDate(progress.updateTime),
  };
}

function protoResult(result: JobResult): grpcNest.trainer.v1.TrainingResult {
  return {
    modelVersion: result.modelVersion,
    trainingSetExportId: result.trainingSetExportId,
    metrics: Object.fromEntries(Object.entries(result.metrics).filter(([, v]) => Number.isFinite(v))),
    artifacts: result.artifacts.map(protoArtifact),
    lineage: { ...result.lineage, featureViews: result.lineage.featureViews.map((v) => ({ name: v.name, version: v.version })) },
    epochsRun: result.epochsRun,
  };
}

export function protoTrainingJob(job: TrainingJobRecord): ProtoJob {
  return {
    jobId: job.jobId,
    spec: job.spec as grpcNest.trainer.v1.TrainingJobSpec,
    state: protoJobState(job.state),
    progress: job.progress === null ? null : protoProgress(job.progress),
    result: job.result === null ? null : protoResult(job.result),
    errorMessage: job.errorMessage,
    createdBy: job.createdBy,
    createTime: timestampFromDate(job.createTime),
    startTime: job.startTime === null ? null : timestampFromDate(job.startTime),
    endTime: job.endTime === null ? null : timestampFromDate(job.endTime),
  };
}
