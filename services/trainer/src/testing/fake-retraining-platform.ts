import type { grpcNest } from '@kuroshio/contracts';
import type { DriftReference } from '../retraining/drift-reference.js';
import type { ExperimentAnalysis } from '../retraining/promotion-decision.js';
import {
  AliasConflictError,
  type AliasChange,
  type ChallengerTrainer,
  type ChampionReferences,
  type ExperimentFacts,
  type LabelledRows,
  type ModelAliases,
  type OnlineFeatures,
  type RecentTraffic,
  type RetrainingExperiments,
  type RetrainingLog,
  type RetrainingLogEntry,
  type RetrainingRegistry,
  type TrainedChallenger,
  type VersionFacts,
} from '../retraining/retraining-ports.js';

export interface RecordedChange {
  readonly action: 'set' | 'delete' | 'archive' | 'create' | 'start' | 'stop' | 'train';
  readonly target: string;
  readonly reason: string;
}

/**
 * The platform a retraining run talks to, in memory: registry aliases with expected-version checks,
 * experiments with a settable analysis, a trainer that registers the next version, and the
 * warehouse's answers. Every change is recorded in order with its reason.
 */
export class FakeRetrainingPlatform {
  now = Date.UTC(2026, 10, 1);
  readonly changes: RecordedChange[] = [];
  readonly log: RetrainingLogEntry[] = [];
  readonly aliasMap = new Map<string, number>();
  readonly versions = new Map<number, VersionFacts>();
  readonly archived = new Set<number>();
  readonly experimentMap = new Map<string, ExperimentFacts & { definition: grpcNest.experiment.v1.Experiment }>();
  analysisResult: ExperimentAnalysis = { units: { champion: 0, challenger: 0 }, sampleRatio: null, anomalousUnits: { unknownVariant: 0, multipleVariants: 0 }, metrics: [] };
  trainingOutcome: 'succeeded' | 'failed' = 'succeeded';
  readonly trainedSpecs: grpcNest.trainer.v1.TrainingJobSpec[] = [];
  driftReferenceValue: DriftReference | null = null;
  trainingEndMs: number | null = null;
  anchorsSince = 0;
  servedEntityIds: string[] = [];
  servedScoreValues: number[] = [];
  onlineValues: (entity: string, feature: string) => number = () => Number.NaN;
  /** Makes the next alias change fail as if someone else had moved the alias. */
  conflictNext = false;

  constructor(championVersion: number | null = 1) {
    if (championVersion !== null) {
      this.addVersion(championVersion, this.now - 40 * 86_400_000);
      this.aliasMap.set('champion', championVersion);
    }
  }

  addVersion(version: number, createTimeMs: number): void {
    this.versions.set(version, { version, createTimeMs, manifestUri: `s3://models/v${version}/manifest.json`, datasetUri: `s3://lake/training-sets/v${version}/manifest.json` });
  }

  readonly registry: RetrainingRegistry = {
    aliases: async (): Promise<ModelAliases> => ({ champion: this.aliasMap.get('champion') ?? null, challenger: this.aliasMap.get('challenger') ?? null }),
    version: async (_model, version) => {
      const found = this.versions.get(version);
      if (found === undefined) throw new Error(`no v${version}`);
      return found;
    },
    setAlias: async (change: AliasChange & { version: number }) => {
      this.#checkExpected(change);
      this.aliasMap.set(change.alias, change.version);
      this.changes.push({ action: 'set', target: `${change.alias}=v${change.version}`, reason: change.reason });
    },
    deleteAlias: async (change: AliasChange) => {
      this.#checkExpected(change);
      this.aliasMap.delete(change.alias);
      this.changes.push({ action: 'delete', target: change.alias, reason: change.reason });
    },
    archiveVersion: async (_model, version, reason) => {
      if ([...this.aliasMap.values()].includes(version)) throw new Error(`v${version} still has an alias`);
      this.archived.add(version);
      this.changes.push({ action: 'archive', target: `v${version}`, reason });
    },
  };

  readonly experiments: RetrainingExperiments = {
    find: async (key) => this.experimentMap.get(key) ?? null,
    create: async (definition, reason) => {
      if (this.experimentMap.has(definition.key)) throw new Error(`${definition.key} exists`);
      const control = definition.variants.find((v) => v.control);
      this.experimentMap.set(definition.key, { key: definition.key, state: 'draft', startTimeMs: null, championVersion: control?.model?.version ?? null, definition });
      this.changes.push({ action: 'create', target: definition.key, reason });
    },
    start: async (key, reason) => {
      const found = this.#experiment(key);
      const started = { ...found, state: 'running' as const, startTimeMs: this.now };
      this.experimentMap.set(key, started);
      this.changes.push({ action: 'start', target: key, reason });
      return started;
    },
    stop: async (key, reason) => {
      const found = this.#experiment(key);
      if (found.state !== 'running') throw new Error(`${key} is not running`);
      this.experimentMap.set(key, { ...found, state: 'stopped' });
      this.changes.push({ action: 'stop', target: key, reason });
    },
    analysis: async () => this.analysisResult,
  };

  readonly trainer: ChallengerTrainer = {
    train: async (spec, requestId): Promise<TrainedChallenger> => {
      this.trainedSpecs.push(spec);
      this.changes.push({ action: 'train', target: requestId, reason: spec.description });
      if (this.trainingOutcome === 'failed') return { jobId: `job-${this.trainedSpecs.length}`, state: 'failed', version: 0, errorMessage: 'export failed' };
      const version = Math.max(0, ...this.versions.keys()) + 1;
      this.addVersion(version, this.now);
      return { jobId: `job-${this.trainedSpecs.length}`, state: 'succeeded', version, errorMessage: '' };
    },
  };

  readonly references: ChampionReferences = {
    driftReference: async () => this.driftReferenceValue,
    trainingDataEndMs: async () => this.trainingEndMs,
  };

  readonly traffic: RecentTraffic = {
    servedEntities: async (_m, _v, _since, limit) => this.servedEntityIds.slice(0, limit),
    servedScores: async (_m, _v, _since, limit) => this.servedScoreValues.slice(0, limit),
  };

  readonly online: OnlineFeatures = {
    read: async (features, entityIds) => features.map((f) => Float64Array.from(entityIds, (entity) => this.onlineValues(entity, `${f.featureView}:${f.feature}`))),
  };

  readonly labels: LabelledRows = { countAnchors: async () => this.anchorsSince };

  readonly retrainingLog: RetrainingLog = {
    append: async (entry) => {
      this.log.push(entry);
    },
  };

  get deps() {
    return {
      registry: this.registry,
      experiments: this.experiments,
      trainer: this.trainer,
      references: this.references,
      traffic: this.traffic,
      online: this.online,
      labels: this.labels,
      log: this.retrainingLog,
      clock: () => this.now,
    };
  }

  #experiment(key: string) {
    const found = this.experimentMap.get(key);
    if (found === undefined) throw new Error(`no experiment ${key}`);
    return found;
  }

  #checkExpected(change: AliasChange): void {
    const current = this.aliasMap.get(change.alias) ?? 0;
    if (this.conflictNext || current !== change.expectedVersion) {
      this.conflictNext = false;
      throw new AliasConflictError(`${change.alias} is at v${current}, expected v${change.expectedVersion}`);
    }
  }
}
