// Trainer CLI over gRPC (TrainerService):
//   node services/trainer/dist/cli/train.js submit --model bad-debt --family mlp --training-set <export id | s3://…/manifest.json>
//   node services/trainer/dist/cli/train.js submit --model bad-debt --family lr --feature billing_activity:charge_amount_sum_30d \
//        --labels-uri s3://kuroshio-lake/labels/bad-debt.ndjson --start 2026-01-01 --end 2026-07-01 --register --quantize uint8
//   node services/trainer/dist/cli/train.js status <jobId> [--watch]
//   node services/trainer/dist/cli/train.js list [--model bad-debt]
//   node services/trainer/dist/cli/train.js cancel <jobId> [--reason "…"]
// --address (default TRAINER_GRPC_ADDRESS or 127.0.0.1:7104); --actor is sent as x-kuroshio-actor.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { grpcNest, timestampFromDate } from '@kuroshio/contracts';
import { ContractClient } from '../grpc/contract-client.js';

const T = grpcNest.trainer.v1;
type Job = grpcNest.trainer.v1.TrainingJob;

const FAMILIES: Record<string, grpcNest.trainer.v1.ModelFamily> = {
  lr: T.ModelFamily.MODEL_FAMILY_LOGISTIC_REGRESSION,
  'logistic-regression': T.ModelFamily.MODEL_FAMILY_LOGISTIC_REGRESSION,
  mlp: T.ModelFamily.MODEL_FAMILY_MLP,
  text: T.ModelFamily.MODEL_FAMILY_TEXT_CLASSIFIER,
};

const options = {
  address: { type: 'string', default: process.env['TRAINER_GRPC_ADDRESS'] ?? '127.0.0.1:7104' },
  actor: { type: 'string', default: process.env['USER'] ?? 'cli' },
  model: { type: 'string' },
  family: { type: 'string', default: 'mlp' },
  feature: { type: 'string', multiple: true },
  'training-set': { type: 'string' },
  'labels-uri': { type: 'string' },
  'labels-json': { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
  validation: { type: 'string' },
  test: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  'learning-rate': { type: 'string' },
  hidden: { type: 'string' },
  dropout: { type: 'string' },
  l2: { type: 'string' },
  patience: { type: 'string' },
  balanced: { type: 'boolean', default: false },
  'text-feature': { type: 'string' },
  'hash-buckets': { type: 'string' },
  seed: { type: 'string', default: '0' },
  threshold: { type: 'string', default: '0' },
  quantize: { type: 'string', default: '' },
  register: { type: 'boolean', default: false },
  description: { type: 'string', default: '' },
  'request-id': { type: 'string', default: '' },
  reason: { type: 'string', default: '' },
  watch: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options, allowPositionals: true });
  const [command, jobId] = positionals;
  const client = new ContractClient('trainer', values.address, values.actor);
  try {
    switch (command) {
      case 'submit': {
        const reply = await client.call<grpcNest.trainer.v1.SubmitTrainingJobRequest, grpcNest.trainer.v1.SubmitTrainingJobResponse>('SubmitTrainingJob', {
          spec: specFrom(values),
          requestId: values['request-id'],
        });
        print(reply.job as Job, values.json);
        if (values.watch) await watch(client, (reply.job as Job).jobId, values.json);
        return;
      }
      case 'status': {
        if (jobId === undefined) throw new Error('status needs a job id');
        if (values.watch) await watch(client, jobId, values.json);
        else print(await getJob(client, jobId), values.json);
        return;
      }
      case 'list': {
        const reply = await client.call<grpcNest.trainer.v1.ListTrainingJobsRequest, grpcNest.trainer.v1.ListTrainingJobsResponse>('ListTrainingJobs', {
          modelName: values.model ?? '',
          states: [],
          pageSize: 50,
          pageToken: '',
        });
        for (const job of reply.jobs) print(job, values.json);
        return;
      }
      case 'cancel': {
        if (jobId === undefined) throw new Error('cancel needs a job id');
        const reply = await client.call<grpcNest.trainer.v1.CancelTrainingJobRequest, grpcNest.trainer.v1.CancelTrainingJobResponse>('CancelTrainingJob', { jobId, reason: values.reason });
        print(reply.job as Job, values.json);
        return;
      }
      default:
        throw new Error('usage: train.js submit|status|list|cancel … (see the header of services/trainer/src/cli/train.ts)');
    }
  } finally {
    client.close();
  }
}

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

function specFrom(values: Values): grpcNest.trainer.v1.TrainingJobSpec {
  if (values.model === undefined) throw new Error('--model is required');
  const family = FAMILIES[values.family];
  if (family === undefined) throw new Error(`--family must be one of ${Object.keys(FAMILIES).join(', ')}`);
  const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
  const labels = values['labels-json'] !== undefined ? (JSON.parse(readJsonArgument(values['labels-json'])) as grpcNest.features.v1.LabelSource) : values['labels-uri'] !== undefined ? { rowsUri: values['labels-uri'] } : null;
  return {
    modelName: values.model,
    features: (values.feature ?? []).map((ref) => {
      const [view, rest] = ref.split(':');
      const [feature, version] = (rest ?? '').split('@');
      return { featureView: view ?? '', feature: feature ?? '', version: Number(version ?? 0) };
    }),
    labels,
    timeRange: values.start === undefined && values.end === undefined ? null : {
      startTime: values.start === undefined ? null : timestampFromDate(new Date(values.start)),
      endTime: values.end === undefined ? null : timestampFromDate(new Date(values.end)),
    },
    split: values.validation === undefined && values.test === undefined ? null : { fractions: { validation: Number(values.validation ?? 0.15), test: Number(values.test ?? 0.15) } },
    modelFamily: family,
    hyperparameters: {
      epochs: number(values.epochs),
      batchSize: number(values['batch-size']),
      learningRate: number(values['learning-rate']),
      hiddenUnits: values.hidden === undefined ? [] : values.hidden.split(',').map(Number),
      dropout: number(values.dropout),
      l2: number(values.l2),
      earlyStoppingPatience: number(values.patience),
      classWeighting: values.balanced ? T.ClassWeighting.CLASS_WEIGHTING_BALANCED : T.ClassWeighting.CLASS_WEIGHTING_UNSPECIFIED,
      text: values['text-feature'] === undefined ? null : { feature: values['text-feature'], hashBuckets: number(values['hash-buckets']) },
    },
    seed: Number(values.seed),
    decisionThreshold: Number(values.threshold),
    quantizations: values.quantize === '' ? [] : values.quantize.split(',').map((q) => (q === 'uint8' ? T.Quantization.QUANTIZATION_UINT8 : q === 'float16' ? T.Quantization.QUANTIZATION_FLOAT16 : T.Quantization.UNRECOGNIZED)),
    registerVersion: values.register,
    description: values.description,
    trainingSet: values['training-set'] ?? '',
  };
}

function readJsonArgument(value: string): string {
  return value.trimStart().startsWith('{') ? value : readFileSync(value, 'utf8');
}

async function getJob(client: ContractClient, jobId: string): Promise<Job> {
  return (await client.call<grpcNest.trainer.v1.GetTrainingJobRequest, grpcNest.trainer.v1.GetTrainingJobResponse>('GetTrainingJob', { jobId })).job as Job;
}

async function watch(client: ContractClient, jobId: string, json: boolean): Promise<void> {
  const final = new Set<string>([T.JobState.JOB_STATE_SUCCEEDED, T.JobState.JOB_STATE_FAILED, T.JobState.JOB_STATE_CANCELLED]);
  for (;;) {
    const job = await getJob(client, jobId);
    print(job, json);
    if (final.has(job.state)) {
      if (job.state !== T.JobState.JOB_STATE_SUCCEEDED) process.exitCode = 1;
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

function print(job: Job, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(job));
    return;
  }
  const progress = job.progress;
  const metrics = Object.entries(progress?.latestMetrics ?? {}).map(([k, v]) => `${k}=${v.toFixed(4)}`).join(' ');
  const stage = progress ? `${progress.stage.replace('TRAINING_STAGE_', '').toLowerCase()} epoch ${progress.epoch}/${progress.maxEpochs} ${(progress.fractionComplete * 100).toFixed(0)}%` : '';
  console.log(`${job.jobId}  ${job.spec?.modelName ?? ''}  ${job.state.replace('JOB_STATE_', '')}  ${stage}  ${metrics}${job.errorMessage ? `  ${job.errorMessage}` : ''}`);
  if (job.result !== null && job.result !== undefined) {
    const r = job.result;
    console.log(`  version ${r.modelVersion || '(not registered)'}  export ${r.trainingSetExportId}  epochs ${r.epochsRun}`);
    console.log(`  ${Object.entries(r.metrics).map(([k, v]) => `${k}=${Number(v.toFixed(4))}`).join(' ')}`);
    for (const artifact of r.artifacts) console.log(`  ${artifact.kind.replace('ARTIFACT_KIND_', '')}  ${artifact.uri}`);
  }
}

main().catch((error: unknown) => {
  const e = error as { message?: string; details?: string };
  console.error(`train: ${e.details ?? e.message ?? String(error)}`);
  process.exitCode = 1;
});
