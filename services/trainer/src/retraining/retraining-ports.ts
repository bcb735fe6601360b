import type { grpcNest } from '@kuroshio/contracts';
import { DomainError } from '@kuroshio/service-kit';
import type { DriftReference } from './drift-reference.js';
import type { ExperimentAnalysis } from './promotion-decision.js';
import type { PromotionRule } from './retraining-policy.js';

// What a retraining run needs of the rest of the platform. Adapters implement these over gRPC,
// ClickHouse and S3; unit tests use fakes (src/testing/fake-retraining-platform.ts).

export interface ModelAliases {
  readonly champion: number | null;
  readonly challenger: number | null;
}

export interface VersionFacts {
  readonly version: number;
  readonly createTimeMs: number;
  /** s3:// URI of the version's manifest.json; '' when it has none. */
  readonly manifestUri: string;
  /** s3:// URI of the training set's manifest.json (lineage). */
  readonly datasetUri: string;
}

export interface AliasChange {
  readonly modelName: string;
  readonly alias: string;
  /** The version the alias must point at now; 0: it must not exist. */
  readonly expectedVersion: number;
  readonly reason: string;
}

/** The alias did not point where the run expected: someone else moved it (FAILED_PRECONDITION if it reaches a caller). */
export class AliasConflictError extends DomainError {
  constructor(message: string) {
    super('FAILED_PRECONDITION', message, { reason: 'alias_moved' });
    this.name = 'AliasConflictError';
  }
}

export interface RetrainingRegistry {
  aliases(modelName: string): Promise<ModelAliases>;
  version(modelName: string, version: number): Promise<VersionFacts>;
  /** Throws AliasConflictError when the alias is not at `expectedVersion`. */
  setAlias(change: AliasChange & { readonly version: number }): Promise<void>;
  deleteAlias(change: AliasChange): Promise<void>;
  archiveVersion(modelName: string, version: number, reason: string): Promise<void>;
}

export interface ExperimentFacts {
  readonly key: string;
  readonly state: 'draft' | 'running' | 'stopped';
  /** When it was (last) started; null before. */
  readonly startTimeMs: number | null;
  /** The version the control arm pins. */
  readonly championVersion: number | null;
}

export interface RetrainingExperiments {
  /** null when no experiment has the key. */
  find(key: string): Promise<ExperimentFacts | null>;
  create(experiment: grpcNest.experiment.v1.Experiment, reason: string): Promise<void>;
  start(key: string, reason: string): Promise<ExperimentFacts>;
  stop(key: string, reason: string): Promise<void>;
  analysis(key: string, rule: Pick<PromotionRule, 'alpha' | 'correction' | 'primaryMetric'>): Promise<ExperimentAnalysis>;
}

export interface TrainedChallenger {
  readonly jobId: string;
  readonly state: 'succeeded' | 'failed' | 'cancelled';
  /** Registered version; 0 unless succeeded. */
  readonly version: number;
  readonly errorMessage: string;
}

export interface ChallengerTrainer {
  /** Submits the job and resolves when it has ended. */
  train(spec: grpcNest.trainer.v1.TrainingJobSpec, requestId: string): Promise<TrainedChallenger>;
}

export interface ChampionReferences {
  /** The `driftReference` of a version's manifest.json; null when the version predates it. */
  driftReference(manifestUri: string): Promise<DriftReference | null>;
  /** When the training set's rows end: its time range's end, else when it was exported; null if unknown. */
  trainingDataEndMs(datasetUri: string): Promise<number | null>;
}

export interface RecentTraffic {
  /** Distinct entities the version scored since `sinceMs` (a deterministic sample of at most `limit`). */
  servedEntities(modelName: string, version: number, sinceMs: number, limit: number): Promise<string[]>;
  /** Scores the version gave since `sinceMs` (a deterministic sample of at most `limit`). */
  servedScores(modelName: string, version: number, sinceMs: number, limit: number): Promise<number[]>;
}

export interface OnlineFeatures {
  /** One array per feature, one value per entity in order; NaN where the value is missing or expired. */
  read(features: readonly grpcNest.features.v1.FeatureRef[], entityIds: readonly string[]): Promise<Float64Array[]>;
}

export interface LabelledRows {
  /** Anchor events of the label with `afterMs < time <= untilMs`. */
  countAnchors(label: grpcNest.features.v1.EventLabel, afterMs: number, untilMs: number): Promise<number>;
}

export type RetrainingStep =
  | 'triggers_checked'
  | 'challenger_trained'
  | 'training_failed'
  | 'challenger_aliased'
  | 'experiment_started'
  | 'analysis_read'
  | 'champion_promoted'
  | 'challenger_retired'
  | 'run_failed';

/** One row of the retraining log (ClickHouse `retraining_log`). */
export interface RetrainingLogEntry {
  readonly eventId: string;
  readonly runId: string;
  /** 1, 2, 3, … within the run: the order of its steps (several may share a millisecond). */
  readonly stepNumber: number;
  readonly timeMs: number;
  readonly actor: string;
  readonly modelName: string;
  readonly step: RetrainingStep;
  readonly championVersion: number;
  readonly challengerVersion: number;
  readonly trainingJobId: string;
  readonly experimentKey: string;
  /** none, retrain, wait, promote, retire, or '' for steps that decide nothing. */
  readonly decision: string;
  readonly reason: string;
  /** Trigger evaluations with PSI values, the analysis read, the error. */
  readonly details: Readonly<Record<string, unknown>>;
}

export interface RetrainingLog {
  append(entry: RetrainingLogEntry): Promise<void>;
}
