import { credentials } from '@grpc/grpc-js';
import { durationFromMs, grpcJs, timestampFromDate } from '@kuroshio/contracts';
import { callUnary } from './grpc-unary.js';
import type { PlatformEndpoints } from './platform-endpoints.js';
import type { Progress } from './progress.js';

const DAY_MS = 86_400_000;

export interface FeatureSelection {
  readonly featureView: string;
  readonly feature: string;
  readonly version?: number;
}

export interface TrainingRequest {
  readonly modelName: string;
  readonly features: readonly FeatureSelection[];
  /** Charges made in [start, end) are labelled; their features use only events before each charge. */
  readonly start: Date;
  readonly end: Date;
  readonly family: 'mlp' | 'logistic-regression';
  readonly seed: number;
  readonly description: string;
  /** Caps the epochs (the family's default otherwise): tests train quickly, the demo trains fully. */
  readonly epochs?: number;
  /** The split's embargo; unset, the trainer takes the label's 30-day outcome window. */
  readonly embargoMs?: number;
}

export interface TrainedVersion {
  readonly jobId: string;
  readonly version: number;
  readonly metrics: Readonly<Record<string, number>>;
  readonly trainingSetExportId: string;
  /** The labelled charges' time range it was trained on. */
  readonly window: { readonly start: Date; readonly end: Date };
}

/**
 * The bad-debt label, as a query over events: a carrier-billing charge is positive when no payment
 * naming it arrives within 30 days after its due date.
 */
export function unpaidChargeLabel(): grpcJs.features.v1.LabelSource {
  const { LabelSource, LabelPolarity } = grpcJs.features.v1;
  return LabelSource.fromPartial({
    eventLabel: {
      anchorEvent: 'Carrier Billing Charge',
      outcomeEvent: 'Carrier Billing Payment',
      // The charge's chargeId, found in the payment's chargeIds array.
      correlationProperty: 'chargeId in chargeIds',
      deadlineProperty: 'dueDate',
      outcomeWindow: durationFromMs(30 * DAY_MS),
      positiveWhen: LabelPolarity.LABEL_POLARITY_OUTCOME_ABSENT,
    },
  });
}

const TERMINAL = new Set([grpcJs.trainer.v1.JobState.JOB_STATE_SUCCEEDED, grpcJs.trainer.v1.JobState.JOB_STATE_FAILED, grpcJs.trainer.v1.JobState.JOB_STATE_CANCELLED]);

/** Submits a training job (training set from the feature store, registered on success) and follows it to the end. */
export async function trainModel(endpoints: PlatformEndpoints, request: TrainingRequest, progress: Progress, timeoutMs = 900_000): Promise<TrainedVersion> {
  const { ModelFamily, JobState, TrainingStage } = grpcJs.trainer.v1;
  const client = new grpcJs.trainer.v1.TrainerServiceClient(endpoints.trainerGrpc, credentials.createInsecure());
  try {
    const submitted = await callUnary(
      client.submitTrainingJob.bind(client),
      grpcJs.trainer.v1.SubmitTrainingJobRequest.fromPartial({
      requestId: `${request.modelName}-${request.seed}-${request.end.toISOString()}`,
      spec: {
        modelName: request.modelName,
        features: request.features.map((feature) => ({ featureView: feature.featureView, feature: feature.feature, version: feature.version ?? 0 })),
        labels: unpaidChargeLabel(),
        timeRange: { startTime: timestampFromDate(request.start), endTime: timestampFromDate(request.end) },
        modelFamily: request.family === 'mlp' ? ModelFamily.MODEL_FAMILY_MLP : ModelFamily.MODEL_FAMILY_LOGISTIC_REGRESSION,
        seed: request.seed,
        registerVersion: true,
        description: request.description,
        decisionThreshold: 0.5,
        quantizations: [grpcJs.trainer.v1.Quantization.QUANTIZATION_UINT8],
        ...(request.epochs === undefined ? {} : { hyperparameters: { epochs: request.epochs } }),
        ...(request.embargoMs === undefined ? {} : { split: { fractions: { validation: 0.15, test: 0.15 }, embargo: durationFromMs(request.embargoMs) } }),
      },
      }),
    );
    const jobId = submitted.job?.jobId ?? '';
    const task = progress.task(`train ${request.modelName} (${request.family}, job ${jobId})`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { job } = await callUnary(client.getTrainingJob.bind(client), grpcJs.trainer.v1.GetTrainingJobRequest.fromPartial({ jobId }));
      if (job === undefined) throw new Error(`trainer lost job ${jobId}`);
      const stage = job.progress ? TrainingStage[job.progress.stage] : '';
      task.update(job.progress?.epoch ?? 0, `${String(stage).replace('TRAINING_STAGE_', '').toLowerCase()} epoch ${job.progress?.epoch ?? 0}/${job.progress?.maxEpochs ?? 0}`);
      if (TERMINAL.has(job.state)) {
        if (job.state !== JobState.JOB_STATE_SUCCEEDED || job.result === undefined) throw new Error(`training job ${jobId} ended ${JobState[job.state]}: ${job.errorMessage}`);
        const metrics = job.result.metrics;
        task.done(`version ${job.result.modelVersion}, test ROC AUC ${formatMetric(metrics['test_roc_auc'] ?? metrics['roc_auc'])}`);
        return { jobId, version: job.result.modelVersion, metrics, trainingSetExportId: job.result.trainingSetExportId, window: { start: request.start, end: request.end } };
      }
      if (Date.now() > deadline) throw new Error(`training job ${jobId} did not finish within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  } finally {
    client.close();
  }
}

function formatMetric(value: number | undefined): string {
  return value === undefined ? 'n/a' : value.toFixed(3);
}
