import { credentials, Metadata } from '@grpc/grpc-js';
import { grpcJs } from '@kuroshio/contracts';
import { uniqueName, waitFor } from '@kuroshio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, waitForHttp, type ServiceProcess } from './service-process.js';
import { storeTrainingSet, type StoredTrainingSet } from './trainer-training-set.js';

// The trainer and the real model registry as built processes, on ports of their own (not the
// defaults, so a developer's running stack does not collide): a job trains on an export in the
// lake, uploads its artifacts to the models bucket and registers the version, which the registry
// accepts only after checking every artifact file's sha256 in S3.
const PORTS = { registryHttp: 17_305, registryGrpc: 17_405, trainerHttp: 17_304, trainerGrpc: 17_404 };
const T = grpcJs.trainer.v1;
let registry: ServiceProcess;
let trainer: ServiceProcess;
let trainerClient: InstanceType<typeof grpcJs.trainer.v1.TrainerServiceClient>;
let registryClient: InstanceType<typeof grpcJs.registry.v1.ModelRegistryClient>;
let trainingSet: StoredTrainingSet;

function unary<Req, Res>(client: object, method: string, request: Req): Promise<Res> {
  const metadata = new Metadata();
  metadata.set('x-kuroshio-actor', 'e2e');
  return new Promise((resolve, reject) =>
    (client as Record<string, (r: Req, m: Metadata, cb: (e: Error | null, v: Res) => void) => void>)[method]!.call(client, request, metadata, (error, value) =>
      error ? reject(error) : resolve(value),
    ),
  );
}

beforeAll(async () => {
  trainingSet = await storeTrainingSet(uniqueName('e2e-trainer'));
  registry = startService('model-registry', { HTTP_PORT: String(PORTS.registryHttp), GRPC_PORT: String(PORTS.registryGrpc) });
  trainer = startService('trainer', {
    HTTP_PORT: String(PORTS.trainerHttp),
    GRPC_PORT: String(PORTS.trainerGrpc),
    TRAINER_MODEL_REGISTRY_ADDRESS: `127.0.0.1:${PORTS.registryGrpc}`,
    TRAINER_CODE_VERSION: 'e2e-sha',
  });
  await waitForHttp(`http://127.0.0.1:${PORTS.registryHttp}/healthz`, registry);
  await waitForHttp(`http://127.0.0.1:${PORTS.trainerHttp}/healthz`, trainer);
  trainerClient = new T.TrainerServiceClient(`127.0.0.1:${PORTS.trainerGrpc}`, credentials.createInsecure());
  registryClient = new grpcJs.registry.v1.ModelRegistryClient(`127.0.0.1:${PORTS.registryGrpc}`, credentials.createInsecure());
});

afterAll(async () => {
  trainerClient?.close();
  registryClient?.close();
  expect(await trainer?.stop()).toBe(0);
  expect(await registry?.stop()).toBe(0);
});

describe('trainer → model registry', () => {
  it('trains, uploads and registers a version the registry verifies, with its lineage', async () => {
    const modelName = uniqueName('e2e-bad-debt');
    const submitted = await unary<grpcJs.trainer.v1.SubmitTrainingJobRequest, grpcJs.trainer.v1.SubmitTrainingJobResponse>(trainerClient, 'submitTrainingJob', {
      requestId: uniqueName('e2e-request'),
      spec: {
        modelName,
        features: [],
        modelFamily: T.ModelFamily.MODEL_FAMILY_LOGISTIC_REGRESSION,
        hyperparameters: { epochs: 10, hiddenUnits: [], classWeighting: T.ClassWeighting.CLASS_WEIGHTING_NONE },
        seed: 1,
        decisionThreshold: 0,
        quantizations: [T.Quantization.QUANTIZATION_UINT8],
        registerVersion: true,
        description: 'e2e',
        trainingSet: trainingSet.exportId,
      },
    });
    const jobId = submitted.job!.jobId;
    const job = await waitFor(
      async () => {
        const reply = await unary<grpcJs.trainer.v1.GetTrainingJobRequest, grpcJs.trainer.v1.GetTrainingJobResponse>(trainerClient, 'getTrainingJob', { jobId });
        const state = reply.job!.state;
        return state === T.JobState.JOB_STATE_SUCCEEDED || state === T.JobState.JOB_STATE_FAILED ? reply.job : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 250, description: 'the training job' },
    );
    expect(job!.errorMessage).toBe('');
    expect(job!.result!.modelVersion).toBe(1);

    const version = await unary<grpcJs.registry.v1.GetModelVersionRequest, grpcJs.registry.v1.GetModelVersionResponse>(registryClient, 'getModelVersion', { modelName, version: 1 });
    const registered = version.modelVersion!;
    expect(registered.lineage).toMatchObject({
      datasetManifestHash: trainingSet.contentHash,
      datasetUri: trainingSet.manifestUri,
      featureViews: [{ name: 'e2e', version: 1 }],
      codeVersion: 'e2e-sha',
      backend: 'wasm',
      trainingJobId: jobId,
    });
    expect(registered.createdBy).toBe('trainer');
    expect(registered.metrics['roc_auc']).toBeGreaterThan(0.7);
    expect(registered.artifacts.map((a) => a.kind).sort()).toEqual(
      ['ARTIFACT_KIND_FEATURE_SPEC', 'ARTIFACT_KIND_MANIFEST', 'ARTIFACT_KIND_MODEL', 'ARTIFACT_KIND_MODEL_QUANTIZED_UINT8', 'ARTIFACT_KIND_NORMALIZER'].sort(),
    );
    expect(registered.params).toMatchObject({ modelFamily: 'logistic_regression', seed: 1 });
  });
});
