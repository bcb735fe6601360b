import * as tf from '@tensorflow/tfjs';
import type { ObjectStore } from '@kuroshio/object-store';
import type { Logger } from '@kuroshio/telemetry';
import { JobArtifactWriter, jobArtifactPrefix, type StoredArtifact } from '../artifacts/job-artifacts.js';
import { capturedArtifacts } from '@kuroshio/model-runtime';
import { quantizeArtifacts, type QuantizationDtype } from '../artifacts/weight-quantization.js';
import { evaluateScores, metricDeltas } from '../evaluation/evaluate-scores.js';
import { predictScores } from '../model/training-loop.js';
import { resolveEmbargo, type ResolvedEmbargo } from '../dataset/label-embargo.js';
import type { SplitRule } from '../dataset/time-split.js';
import { driftReference, type DriftReference } from '../retraining/drift-reference.js';
import type { ModelRegistryPort } from '../registry/model-registry-client.js';
import { exportTrainingSet, type TrainingSetExporter } from '../training-set/feature-store-exports.js';
import { loadTrainingSet, trainingSetReference, type LoadedTrainingSet } from '../training-set/training-set-loader.js';
import { fitAndEvaluate, readPlannedTable, type FittedModel } from './fit-and-evaluate.js';
import type { RunJob } from './training-job-queue.js';
import { JobCancelledError, type JobControl, type JobLineage, type JobResult, type TrainingJobRecord, type TrainingStage } from './training-job.js';
import type { TrainingPlan } from './training-plan.js';

export interface PipelineDependencies {
  readonly store: ObjectStore;
  readonly buckets: { readonly lake: string; readonly models: string };
  readonly exporter: TrainingSetExporter;
  readonly exportPolling: { readonly intervalMs: number; readonly timeoutMs: number };
  readonly registry: ModelRegistryPort;
  /** Name of the TensorFlow.js backend in use (recorded in the lineage). */
  readonly backend: () => string;
  readonly codeVersion: string;
  readonly logger: Logger;
  /** Called with each finished job's training throughput (metrics). */
  readonly onTrained?: (samplesPerSecond: number) => void;
}

// Share of the job each stage ends at, for fraction_complete.
const STAGE_END: Record<TrainingStage, number> = {
  building_training_set: 0.1,
  training: 0.85,
  evaluating: 0.9,
  uploading_artifacts: 0.97,
  registering: 1,
};
const STAGE_START: Record<TrainingStage, number> = {
  building_training_set: 0,
  training: 0.1,
  evaluating: 0.85,
  uploading_artifacts: 0.9,
  registering: 0.97,
};

const QUANTIZED_KIND = { uint8: 'MODEL_QUANTIZED_UINT8', float16: 'MODEL_QUANTIZED_FLOAT16' } as const;

/**
 * One training job end to end: training set (exported now, or an existing export), time split,
 * training, evaluation on the test split, full and quantised artifacts with their checksums in S3,
 * then registration. Each stage is reported as progress; cancellation is honoured between stages
 * and after every training batch.
 */
export function trainingPipeline(deps: PipelineDependencies): RunJob {
  return async (job, control) => {
    const { plan } = job;
    const log = deps.logger.child({ jobId: job.jobId, model: plan.modelName });
    const maxEpochs = plan.hyperparameters.epochs;
    const report = (stage: TrainingStage, epoch = 0, latestMetrics: Record<string, number> = {}, within = 0) =>
      control.report({ stage, epoch, maxEpochs, fractionComplete: STAGE_START[stage] + (STAGE_END[stage] - STAGE_START[stage]) * within, latestMetrics });
    const checkpoint = () => {
      if (control.shouldStop()) throw control.signal.reason instanceof Error ? control.signal.reason : new JobCancelledError('cancelled');
    };

    report('building_training_set');
    const trainingSet = await acquireTrainingSet(deps, job, control);
    log.info({ exportId: trainingSet.manifest.exportId, rows: trainingSet.manifest.rowCount }, 'training set loaded');
    const { table, columns } = await readPlannedTable(trainingSet.data, trainingSet.manifest, plan);
    const embargo = resolveEmbargo(plan.split, trainingSet.manifest.label);
    const split: SplitRule = { ...plan.split, embargoMs: embargo.embargoMs };
    checkpoint();

    report('training');
    const fitted = await fitAndEvaluate(table, columns, { ...plan, split }, {
      shouldStop: () => control.shouldStop(),
      onEpoch: (epoch) => report('training', epoch.epoch, finite({ loss: epoch.loss, val_loss: epoch.valLoss, val_auc: epoch.valAuc }), epoch.epoch / maxEpochs),
    });
    try {
      checkpoint();
      deps.onTrained?.(fitted.outcome.samplesPerSecond);
      log.info({ epochs: fitted.outcome.epochsRun, bestEpoch: fitted.outcome.bestEpoch, metrics: fitted.evaluation.metrics, backend: deps.backend() }, 'trained');

      report('evaluating', fitted.outcome.epochsRun, finite(fitted.evaluation.metrics));
      const full = await capturedArtifacts(fitted.model);
      const copies = await quantisedCopies(full, plan.quantizations, fitted);
      checkpoint();

      report('uploading_artifacts', fitted.outcome.epochsRun, finite(fitted.evaluation.metrics));
      const lineage: JobLineage = {
        datasetManifestHash: trainingSet.manifest.contentHash,
        datasetUri: trainingSet.manifestUri,
        featureViews: trainingSet.manifest.featureViews,
        codeVersion: deps.codeVersion,
        backend: deps.backend(),
        trainingJobId: job.jobId,
      };
      const params = versionParams({ ...plan, split }, embargo, trainingSet, fitted, job.createdBy);
      // Binned once here so that drift checks later need neither the training set nor the model.
      const reference = driftReference(table, fitted.columns.numeric, fitted.dataset.split.train, fitted.testScores);
      const artifacts = await uploadArtifacts(deps, job, fitted, full, copies, { lineage, params, driftReference: reference });
      checkpoint();

      let modelVersion = 0;
      if (plan.registerVersion) {
        report('registering', fitted.outcome.epochsRun, finite(fitted.evaluation.metrics));
        modelVersion = await deps.registry.registerVersion({
          modelName: plan.modelName,
          description: plan.description,
          artifacts,
          metrics: fitted.evaluation.metrics,
          params,
          lineage,
          requestId: job.jobId,
          submittedBy: job.createdBy,
        });
        log.info({ version: modelVersion }, 'version registered');
      }
      report('registering', fitted.outcome.epochsRun, finite(fitted.evaluation.metrics), 1);
      const result: JobResult = {
        modelVersion,
        trainingSetExportId: trainingSet.manifest.exportId,
        metrics: fitted.evaluation.metrics,
        artifacts,
        lineage,
        epochsRun: fitted.outcome.epochsRun,
      };
      return result;
    } finally {
      fitted.model.dispose();
    }
  };
}

async function acquireTrainingSet(deps: PipelineDependencies, job: TrainingJobRecord, control: JobControl): Promise<LoadedTrainingSet> {
  const { plan } = job;
  if (plan.trainingSet !== '') return loadTrainingSet(deps.store, deps.buckets.lake, trainingSetReference(plan.trainingSet));
  const done = await exportTrainingSet(
    deps.exporter,
    {
      features: plan.features.map((f) => ({ featureView: f.featureView, feature: f.feature, version: f.version })),
      labels: plan.labels as never,
      timeRange: plan.timeRange as never,
      requestId: job.jobId,
    },
    { pollIntervalMs: deps.exportPolling.intervalMs, timeoutMs: deps.exportPolling.timeoutMs, signal: control.signal },
  );
  return loadTrainingSet(deps.store, deps.buckets.lake, done.manifestUri !== '' ? { manifestUri: done.manifestUri } : { exportId: done.exportId });
}

interface QuantisedCopy {
  readonly dtype: QuantizationDtype;
  readonly artifacts: tf.io.ModelArtifacts;
  readonly metrics: Record<string, number>;
}

/** Quantises the saved model, loads each copy back through tfjs (which dequantises) and scores the test split with it. */
async function quantisedCopies(full: tf.io.ModelArtifacts, dtypes: readonly QuantizationDtype[], fitted: FittedModel): Promise<QuantisedCopy[]> {
  const fullBytes = weightBytes(full);
  const copies: QuantisedCopy[] = [];
  for (const dtype of dtypes) {
    const artifacts = quantizeArtifacts(full, dtype);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    try {
      const scores = predictScores(loaded, fitted.dataset.inputs, fitted.dataset.split.test);
      const metrics = evaluateScores(fitted.testLabels, scores, fitted.evaluation.metrics['threshold'] as number).metrics;
      let maxScoreDifference = 0;
      for (let i = 0; i < scores.length; i++) maxScoreDifference = Math.max(maxScoreDifference, Math.abs((scores[i] as number) - (fitted.testScores[i] as number)));
      const bytes = weightBytes(artifacts);
      copies.push({
        dtype,
        artifacts,
        metrics: { ...metrics, ...metricDeltas(metrics, fitted.evaluation.metrics), weights_bytes: bytes, size_ratio: bytes / fullBytes, max_score_difference: maxScoreDifference },
      });
    } finally {
      loaded.dispose();
    }
  }
  return copies;
}

async function uploadArtifacts(
  deps: PipelineDependencies,
  job: TrainingJobRecord,
  fitted: FittedModel,
  full: tf.io.ModelArtifacts,
  copies: readonly QuantisedCopy[],
  header: { lineage: JobLineage; params: Record<string, unknown>; driftReference: DriftReference },
): Promise<StoredArtifact[]> {
  const writer = new JobArtifactWriter(deps.store, deps.buckets.models, jobArtifactPrefix(job.plan.modelName, job.jobId));
  await writer.writeModel('MODEL', full, { weights_bytes: weightBytes(full) });
  for (const copy of copies) await writer.writeModel(QUANTIZED_KIND[copy.dtype], copy.artifacts, copy.metrics);
  await writer.writeJson('FEATURE_SPEC', 'feature-spec.json', fitted.featureSpec);
  await writer.writeJson('NORMALIZER', 'normalizer.json', fitted.dataset.normaliser);
  await writer.writeManifest({
    modelName: job.plan.modelName,
    jobId: job.jobId,
    createdAt: new Date().toISOString(),
    lineage: header.lineage,
    metrics: finite(fitted.evaluation.metrics),
    calibration: fitted.evaluation.calibration,
    params: header.params,
    driftReference: header.driftReference,
  });
  return [...writer.written];
}

function versionParams(plan: TrainingPlan, embargo: ResolvedEmbargo, trainingSet: LoadedTrainingSet, fitted: FittedModel, createdBy: string): Record<string, unknown> {
  const { split, classWeights } = fitted.dataset;
  return {
    // Who submitted the job: the registry's actor is the trainer itself.
    createdBy,
    modelFamily: plan.family,
    hyperparameters: plan.hyperparameters,
    seed: plan.seed,
    decisionThreshold: plan.decisionThreshold,
    split: {
      rule: plan.split,
      trainRows: split.train.length,
      validationRows: split.validation.length,
      testRows: split.test.length,
      validationStart: Number.isNaN(split.validationStartMs) ? null : new Date(split.validationStartMs).toISOString(),
      testStart: Number.isNaN(split.testStartMs) ? null : new Date(split.testStartMs).toISOString(),
      embargoMs: split.embargoMs,
      embargoSource: embargo.source,
      embargoedTrainRows: split.embargoedTrainRows,
      embargoedValidationRows: split.embargoedValidationRows,
    },
    classWeights,
    features: fitted.featureSpec.numeric.map((c) => `${c.featureView}:${c.feature}@${c.version}`),
    textFeature: fitted.featureSpec.text === null ? null : `${fitted.featureSpec.text.featureView}:${fitted.featureSpec.text.feature}`,
    trainingSetExportId: trainingSet.manifest.exportId,
    quantizations: plan.quantizations,
    epochsRun: fitted.outcome.epochsRun,
    bestEpoch: fitted.outcome.bestEpoch,
    stoppedEarly: fitted.outcome.stoppedEarly,
  };
}

function weightBytes(artifacts: tf.io.ModelArtifacts): number {
  return tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)).byteLength;
}

function finite(metrics: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).filter(([, value]) => Number.isFinite(value)));
}
