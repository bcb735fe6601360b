import { createHash } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import * as tf from '@tensorflow/tfjs';
import { grpcNest } from '@kuroshio/contracts';
import { ObjectStore } from '@kuroshio/object-store';
import type { RunningService } from '@kuroshio/service-kit';
import { stackEndpoints, uniqueName, waitFor } from '@kuroshio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectStoreModelFiles, modelInputs, type Normaliser, type FeatureSpec } from '@kuroshio/model-runtime';
import type { TrainerConfig } from './config.js';
import { timeSplit } from './dataset/time-split.js';
import { evaluateScores } from './evaluation/evaluate-scores.js';
import { ContractClient } from './grpc/contract-client.js';
import { predictScores } from './model/training-loop.js';
import { FakeFeatureStore } from './testing/fake-feature-store.js';
import { FakeModelRegistry } from './testing/fake-model-registry.js';
import { putTrainingSet, syntheticTrainingSet, type SyntheticTrainingSet } from './testing/synthetic-training-set.js';
import { startTrainer } from './testing/trainer-under-test.js';
import { parseS3Uri } from './training-set/s3-uri.js';
import { readTrainingSetTable } from './training-set/training-set-table.js';

type Job = grpcNest.trainer.v1.TrainingJob;
const T = grpcNest.trainer.v1;
const Kind = grpcNest.registry.v1.ArtifactKind;
const { s3 } = stackEndpoints();
const store = new ObjectStore(s3);
// The registry is a FAKE here (testing/fake-model-registry.ts), as is the feature store for the
// export path; S3 is the real one. The e2e test registers with the real registry process.
const registry = new FakeModelRegistry();
let featureStore: FakeFeatureStore;
let trainer: RunningService<TrainerConfig>;
let client: ContractClient;
let tabular: SyntheticTrainingSet;

beforeAll(async () => {
  tabular = syntheticTrainingSet({ exportId: uniqueName('trainer-it'), rows: 3_000, features: 8, seed: 11, intercept: -1.5, missingRate: 0.05 });
  await putTrainingSet(store, s3.buckets.lake, tabular);
  featureStore = new FakeFeatureStore(async (exportId) => putTrainingSet(store, s3.buckets.lake, syntheticTrainingSet({ exportId, rows: 600, features: 4, seed: 5, intercept: -1 })));
  trainer = await startTrainer({
    TRAINER_MODEL_REGISTRY_ADDRESS: await registry.start(),
    TRAINER_FEATURE_STORE_ADDRESS: await featureStore.start(),
    TRAINER_EXPORT_POLL_INTERVAL_MS: '100',
  });
  client = new ContractClient('trainer', trainer.grpcAddress as string, 'it-analyst');
});

afterAll(async () => {
  client?.close();
  await trainer?.close();
  await registry.stop();
  await featureStore?.stop();
});

function spec(overrides: Partial<grpcNest.trainer.v1.TrainingJobSpec>): grpcNest.trainer.v1.TrainingJobSpec {
  return {
    modelName: 'bad-debt-it',
    features: [],
    labels: null,
    timeRange: null,
    split: { fractions: { validation: 0.15, test: 0.15 } },
    modelFamily: T.ModelFamily.MODEL_FAMILY_MLP,
    hyperparameters: { epochs: 30, batchSize: 64, learningRate: 0.005, hiddenUnits: [16, 8], earlyStoppingPatience: 4, classWeighting: T.ClassWeighting.CLASS_WEIGHTING_UNSPECIFIED },
    seed: 3,
    decisionThreshold: 0.3,
    quantizations: [T.Quantization.QUANTIZATION_UINT8, T.Quantization.QUANTIZATION_FLOAT16],
    registerVersion: true,
    description: 'integration test',
    trainingSet: tabular.manifest.exportId,
    ...overrides,
  };
}

async function submit(body: grpcNest.trainer.v1.TrainingJobSpec, requestId = ''): Promise<Job> {
  const reply = await client.call<grpcNest.trainer.v1.SubmitTrainingJobRequest, grpcNest.trainer.v1.SubmitTrainingJobResponse>('SubmitTrainingJob', { spec: body, requestId });
  return reply.job as Job;
}

async function getJob(jobId: string): Promise<Job> {
  return (await client.call<grpcNest.trainer.v1.GetTrainingJobRequest, grpcNest.trainer.v1.GetTrainingJobResponse>('GetTrainingJob', { jobId })).job as Job;
}

async function finished(jobId: string, timeoutMs = 120_000): Promise<Job> {
  const final = new Set<string>([T.JobState.JOB_STATE_SUCCEEDED, T.JobState.JOB_STATE_FAILED, T.JobState.JOB_STATE_CANCELLED]);
  return waitFor(async () => {
    const job = await getJob(jobId);
    return final.has(job.state) ? job : undefined;
  }, { timeoutMs, intervalMs: 200, description: `job ${jobId} to finish` });
}

describe('trainer (real S3)', () => {
  let job: Job;

  it('trains an MLP on an existing export, stores every artifact with its checksum and registers the version', async () => {
    const queued = await submit(spec({}), uniqueName('req'));
    expect(queued.state).toBe(T.JobState.JOB_STATE_QUEUED);
    expect(queued.createdBy).toBe('it-analyst');
    job = await finished(queued.jobId);
    expect(job.errorMessage).toBe('');
    expect(job.state).toBe(T.JobState.JOB_STATE_SUCCEEDED);
    const result = job.result!;
    expect(result.modelVersion).toBe(1);
    expect(result.trainingSetExportId).toBe(tabular.manifest.exportId);
    expect(result.metrics['roc_auc']).toBeGreaterThan(0.75);
    expect(result.epochsRun).toBeGreaterThan(0);
    expect(job.progress).toMatchObject({ stage: T.TrainingStage.TRAINING_STAGE_REGISTERING, fractionComplete: 1 });
    expect(result.artifacts.map((a) => a.kind).sort()).toEqual(
      ['ARTIFACT_KIND_FEATURE_SPEC', 'ARTIFACT_KIND_MANIFEST', 'ARTIFACT_KIND_MODEL', 'ARTIFACT_KIND_MODEL_QUANTIZED_FLOAT16', 'ARTIFACT_KIND_MODEL_QUANTIZED_UINT8', 'ARTIFACT_KIND_NORMALIZER'].sort(),
    );
    for (const artifact of result.artifacts) expect(artifact.uri).toBe(`s3://${s3.buckets.models}/models/bad-debt-it/${job.jobId}/${artifact.uri.split(`${job.jobId}/`)[1]}`);

    // Registered with the lineage the brief asks for.
    const registered = registry.registrations.find((r) => r.request.requestId === job.jobId)!;
    expect(registered.actor).toBe('trainer');
    expect(registered.reason).toBe(`training job ${job.jobId} submitted by it-analyst`);
    expect(registered.request.params).toMatchObject({ createdBy: 'it-analyst' });
    expect(registered.request.lineage).toMatchObject({
      datasetManifestHash: tabular.manifest.contentHash,
      datasetUri: `s3://${s3.buckets.lake}/training-sets/${tabular.manifest.exportId}/manifest.json`,
      featureViews: [{ name: 'synthetic', version: 1 }],
      backend: 'wasm',
      trainingJobId: job.jobId,
    });
    expect(registered.request.lineage!.codeVersion).not.toBe('');
    expect(registered.request.params).toMatchObject({ modelFamily: 'mlp', seed: 3, split: { trainRows: expect.any(Number) } });
  });

  it('writes a manifest whose checksums match every stored file', async () => {
    const root = parseS3Uri(job.result!.artifacts.find((a) => a.kind === Kind.ARTIFACT_KIND_MANIFEST)!.uri);
    const manifest = JSON.parse((await store.get(root.bucket, `${root.key}manifest.json`)).toString('utf8')) as { files: Array<{ path: string; sha256: string; sizeBytes: number }> };
    expect(manifest.files.map((f) => f.path).sort()).toEqual(
      ['feature-spec/feature-spec.json', 'model-float16/model.json', 'model-float16/weights.bin', 'model-uint8/model.json', 'model-uint8/weights.bin', 'model/model.json', 'model/weights.bin', 'normalizer/normalizer.json'].sort(),
    );
    for (const file of manifest.files) {
      const bytes = await store.get(root.bucket, root.key + file.path);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
      expect(bytes.length).toBe(file.sizeBytes);
    }
    // The registered artifact entries carry the same checksums.
    const model = job.result!.artifacts.find((a) => a.kind === Kind.ARTIFACT_KIND_MODEL)!;
    expect(model.files.map((f) => f.sha256).sort()).toEqual(manifest.files.filter((f) => f.path.startsWith('model/')).map((f) => f.sha256).sort());
  });

  it('loads the model back from S3 and reproduces the reported test metrics; the quantised copies score close', async () => {
    const artifact = (kind: grpcNest.registry.v1.ArtifactKind) => parseS3Uri(job.result!.artifacts.find((a) => a.kind === kind)!.uri);
    const json = async <T>(kind: grpcNest.registry.v1.ArtifactKind, file: string) => {
      const at = artifact(kind);
      return JSON.parse((await store.get(at.bucket, at.key + file)).toString('utf8')) as T;
    };
    const spec = await json<FeatureSpec>(Kind.ARTIFACT_KIND_FEATURE_SPEC, 'feature-spec.json');
    const normaliser = await json<Normaliser>(Kind.ARTIFACT_KIND_NORMALIZER, 'normalizer.json');
    expect(spec.numeric.map((c) => c.column)).toEqual(normaliser.columns.map((c) => c.column));
    expect(normaliser.columns.some((c) => c.missingIndicator)).toBe(true);

    const table = await readTrainingSetTable(tabular.data, { numeric: spec.numeric.map((c) => c.column), text: [] });
    const inputs = modelInputs({ normaliser, numericValues: spec.numeric.map((c) => table.numeric.get(c.column)!) });
    expect(inputs.width).toBe(spec.inputWidth);
    const testRows = timeSplit(table.labelTimesMs, table.entityIds, { kind: 'fractions', validation: 0.15, test: 0.15 }).test;
    const labels = Array.from(testRows, (row) => table.labels[row]!);

    const load = async (kind: grpcNest.registry.v1.ArtifactKind) => {
      const at = artifact(kind);
      return tf.loadLayersModel(new ObjectStoreModelFiles(store, at.bucket, at.key));
    };
    const full = await load(Kind.ARTIFACT_KIND_MODEL);
    const scores = predictScores(full, inputs, testRows);
    const again = evaluateScores(labels, scores, 0.3).metrics;
    expect(again['roc_auc']).toBeCloseTo(job.result!.metrics['roc_auc']!, 6);
    expect(again['log_loss']).toBeCloseTo(job.result!.metrics['log_loss']!, 6);

    for (const kind of [Kind.ARTIFACT_KIND_MODEL_QUANTIZED_UINT8, Kind.ARTIFACT_KIND_MODEL_QUANTIZED_FLOAT16]) {
      const copy = await load(kind);
      const copyScores = predictScores(copy, inputs, testRows);
      const maxDifference = Math.max(...Array.from(copyScores, (s, i) => Math.abs(s - scores[i]!)));
      expect(maxDifference).toBeLessThan(0.05);
      const recorded = job.result!.artifacts.find((a) => a.kind === kind)!.metrics;
      expect(evaluateScores(labels, copyScores, 0.3).metrics['roc_auc']).toBeCloseTo(recorded['roc_auc']!, 6);
      expect(Math.abs(recorded['roc_auc_delta']!)).toBeLessThan(0.01);
      expect(recorded['size_ratio']).toBeLessThan(kind === Kind.ARTIFACT_KIND_MODEL_QUANTIZED_UINT8 ? 0.26 : 0.51);
      copy.dispose();
    }
    full.dispose();
  });

  it('asks the feature store for an export when no training set is named, and polls it', async () => {
    const queued = await submit(
      spec({
        modelName: 'export-path-it',
        features: [1, 2].map((j) => ({ featureView: 'synthetic', feature: `f${j}`, version: 0 })),
        labels: { rowsUri: `s3://${s3.buckets.lake}/labels/it.ndjson` },
        trainingSet: '',
        modelFamily: T.ModelFamily.MODEL_FAMILY_LOGISTIC_REGRESSION,
        hyperparameters: { epochs: 5, hiddenUnits: [], classWeighting: T.ClassWeighting.CLASS_WEIGHTING_BALANCED },
        quantizations: [],
        registerVersion: false,
      }),
    );
    const done = await finished(queued.jobId);
    expect(done.errorMessage).toBe('');
    expect(done.result!.modelVersion).toBe(0);
    expect(done.result!.trainingSetExportId).toMatch(/^fake-/);
    const request = featureStore.requests.at(-1)!;
    expect(request.requestId).toBe(queued.jobId);
    expect(request.features.map((f) => f.feature)).toEqual(['f1', 'f2']);
    expect(request.labels?.rowsUri).toBe(`s3://${s3.buckets.lake}/labels/it.ndjson`);
  });

  it("embargoes rows whose event label is decided after the next split starts, taking the window from the label, and records it", async () => {
    const DAY_MS = 86_400_000;
    const label = { kind: 'event', anchorEvent: 'Carrier Billing Charge', outcomeEvent: 'Carrier Billing Payment', outcomeWindowMs: 7 * DAY_MS, positiveWhen: 'outcome_absent' };
    const set = syntheticTrainingSet({ exportId: uniqueName('trainer-embargo-it'), rows: 1_000, features: 3, seed: 17, intercept: -1, label });
    const queued = await submit(spec({ modelName: 'embargo-it', trainingSet: await putTrainingSet(store, s3.buckets.lake, set), quantizations: [] }));
    const done = await finished(queued.jobId);
    expect(done.errorMessage).toBe('');
    const split = registry.registrations.find((r) => r.request.requestId === done.jobId)!.request.params!['split'] as Record<string, number | string>;
    expect(split).toMatchObject({ embargoMs: 7 * DAY_MS, embargoSource: 'label_outcome_window', rule: { kind: 'fractions', embargoMs: 7 * DAY_MS } });
    // Rows span 180 days: a 7-day embargo drops about 7/180 of them before each cut.
    expect(split['embargoedTrainRows']).toBeGreaterThan(15);
    expect(split['embargoedValidationRows']).toBeGreaterThan(15);
    const rows = ['trainRows', 'embargoedTrainRows', 'validationRows', 'embargoedValidationRows', 'testRows'].reduce((sum, key) => sum + (split[key] as number), 0);
    expect(rows).toBe(1_000);
  });

  it('trains the text classifier on Traditional Chinese messages', async () => {
    const texts = syntheticTrainingSet({ exportId: uniqueName('trainer-text-it'), rows: 1_200, features: 2, seed: 21, intercept: -1, withText: true });
    await putTrainingSet(store, s3.buckets.lake, texts);
    const queued = await submit(
      spec({
        modelName: 'line-intent-it',
        trainingSet: `s3://${s3.buckets.lake}/training-sets/${texts.manifest.exportId}/manifest.json`,
        modelFamily: T.ModelFamily.MODEL_FAMILY_TEXT_CLASSIFIER,
        features: [{ featureView: 'synthetic', feature: 'last_message', version: 0 }],
        hyperparameters: { epochs: 8, batchSize: 32, hiddenUnits: [], classWeighting: T.ClassWeighting.CLASS_WEIGHTING_UNSPECIFIED, text: { feature: 'synthetic:last_message', hashBuckets: 4096 } },
        quantizations: [T.Quantization.QUANTIZATION_UINT8],
        registerVersion: false,
      }),
    );
    const done = await finished(queued.jobId);
    expect(done.errorMessage).toBe('');
    expect(done.result!.metrics['roc_auc']).toBeGreaterThan(0.7);
  });
});

describe('trainer job lifecycle over gRPC', () => {
  it('cancels a running job at the next batch while health checks stay responsive', async () => {
    const queued = await submit(spec({ modelName: 'cancel-it', hyperparameters: { epochs: 5_000, batchSize: 16, hiddenUnits: [32], earlyStoppingPatience: 0, classWeighting: T.ClassWeighting.CLASS_WEIGHTING_NONE }, quantizations: [], registerVersion: false }));
    await waitFor(async () => ((await getJob(queued.jobId)).progress?.epoch ?? 0) >= 1, { timeoutMs: 60_000, description: 'the first epoch' });

    const started = performance.now();
    const health = await fetch(`${trainer.httpUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(1_000);

    const listed = await client.call<grpcNest.trainer.v1.ListTrainingJobsRequest, grpcNest.trainer.v1.ListTrainingJobsResponse>('ListTrainingJobs', {
      modelName: 'cancel-it',
      states: [T.JobState.JOB_STATE_RUNNING],
      pageSize: 0,
      pageToken: '',
    });
    expect(listed.jobs.map((j) => j.jobId)).toEqual([queued.jobId]);

    const cancelled = await client.call<grpcNest.trainer.v1.CancelTrainingJobRequest, grpcNest.trainer.v1.CancelTrainingJobResponse>('CancelTrainingJob', { jobId: queued.jobId, reason: 'wrong label window' });
    expect([T.JobState.JOB_STATE_CANCELLING, T.JobState.JOB_STATE_CANCELLED]).toContain(cancelled.job!.state);
    const final = await finished(queued.jobId, 10_000);
    expect(final.state).toBe(T.JobState.JOB_STATE_CANCELLED);
    expect(final.errorMessage).toBe('cancelled: wrong label window');
    expect(final.result).toBeNull();
  });

  it('lists jobs newest first and answers unknown jobs and bad specs with gRPC codes', async () => {
    const all = await client.call<grpcNest.trainer.v1.ListTrainingJobsRequest, grpcNest.trainer.v1.ListTrainingJobsResponse>('ListTrainingJobs', { modelName: '', states: [], pageSize: 2, pageToken: '' });
    expect(all.jobs).toHaveLength(2);
    expect(all.jobs[0]!.spec!.modelName).toBe('cancel-it');
    expect(all.nextPageToken).not.toBe('');
    await expect(getJob('tj-missing')).rejects.toMatchObject({ code: status.NOT_FOUND });
    await expect(submit(spec({ modelName: 'Not A Name' }))).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
  });

  it('fails a job whose manifest contentHash does not match its fields, naming the mismatch', async () => {
    const set = syntheticTrainingSet({ exportId: uniqueName('trainer-tampered-it'), rows: 300, features: 2, seed: 9 });
    // Claims more rows than the Parquet holds, keeping the hash of the honest manifest.
    const manifestUri = await putTrainingSet(store, s3.buckets.lake, { ...set, manifest: { ...set.manifest, rowCount: 301 } });
    const queued = await submit(spec({ modelName: 'tampered-set-it', trainingSet: manifestUri }));
    const done = await finished(queued.jobId);
    expect(done.state).toBe(T.JobState.JOB_STATE_FAILED);
    expect(done.errorMessage).toContain(`has contentHash ${set.manifest.contentHash}, but its fields hash to`);
  });

  it('fails a job whose training set does not exist, with the reason', async () => {
    const queued = await submit(spec({ modelName: 'missing-set-it', trainingSet: uniqueName('no-such-export') }));
    const done = await finished(queued.jobId);
    expect(done.state).toBe(T.JobState.JOB_STATE_FAILED);
    expect(done.errorMessage).toMatch(/not exist|NoSuchKey|Not Found/i);
  });
});
