import type { StoredArtifact } from '../artifacts/job-artifacts.js';
import type { TrainingPlan } from './training-plan.js';

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelling' | 'cancelled';
export type TrainingStage = 'building_training_set' | 'training' | 'evaluating' | 'uploading_artifacts' | 'registering';

export const FINAL_STATES: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'cancelled']);

export interface JobProgress {
  readonly stage: TrainingStage;
  readonly epoch: number;
  readonly maxEpochs: number;
  readonly fractionComplete: number;
  readonly latestMetrics: Readonly<Record<string, number>>;
  readonly updateTime: Date;
}

export interface JobLineage {
  readonly datasetManifestHash: string;
  readonly datasetUri: string;
  readonly featureViews: ReadonlyArray<{ readonly name: string; readonly version: number }>;
  readonly codeVersion: string;
  readonly backend: string;
  readonly trainingJobId: string;
}

export interface JobResult {
  /** 0 when the version was not registered. */
  readonly modelVersion: number;
  readonly trainingSetExportId: string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly artifacts: readonly StoredArtifact[];
  readonly lineage: JobLineage;
  readonly epochsRun: number;
}

/** A job as the trainer keeps it. `spec` is the request's spec, echoed back unchanged. */
export interface TrainingJobRecord {
  readonly jobId: string;
  readonly requestId: string;
  readonly spec: unknown;
  readonly plan: TrainingPlan;
  readonly createdBy: string;
  readonly createTime: Date;
  state: JobState;
  progress: JobProgress | null;
  result: JobResult | null;
  errorMessage: string;
  startTime: Date | null;
  endTime: Date | null;
}

/** What a running job sees of its queue. */
export interface JobControl {
  readonly jobId: string;
  /** Aborted when the job is cancelled (or the trainer shuts down). */
  readonly signal: AbortSignal;
  shouldStop(): boolean;
  report(progress: Omit<JobProgress, 'updateTime'>): void;
}

/** Thrown inside a job when it stops because it was cancelled. */
export class JobCancelledError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'JobCancelledError';
  }
}
