import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractClient } from '../grpc/contract-client.js';
import { FakeModelRegistry } from '../testing/fake-model-registry.js';
import { ModelRegistryClient, type VersionRegistration } from './model-registry-client.js';

// Against a FAKE registry (testing/fake-model-registry.ts): this checks what the client sends, not
// what the real registry accepts; the e2e test registers with the real one.
const registry = new FakeModelRegistry();
let client: ContractClient;

beforeAll(async () => {
  client = new ContractClient('model-registry', await registry.start(), 'trainer');
});

afterAll(async () => {
  client.close();
  await registry.stop();
});

const registration: VersionRegistration = {
  modelName: 'bad-debt',
  description: 'first',
  artifacts: [
    { kind: 'MODEL', uri: 's3://kuroshio-models/models/bad-debt/tj-1/model/', files: [{ path: 'model.json', sha256: 'a'.repeat(64), sizeBytes: 1234 }], metrics: {} },
    { kind: 'MODEL_QUANTIZED_UINT8', uri: 's3://kuroshio-models/models/bad-debt/tj-1/model-uint8/', files: [{ path: 'weights.bin', sha256: 'b'.repeat(64), sizeBytes: 99 }], metrics: { roc_auc: 0.8, roc_auc_delta: -0.001 } },
  ],
  metrics: { roc_auc: 0.81, log_loss: 0.3, pr_auc: Number.NaN },
  params: { modelFamily: 'mlp', hyperparameters: { hiddenUnits: [64, 32] }, missing: Number.NaN },
  lineage: {
    datasetManifestHash: 'c'.repeat(64),
    datasetUri: 's3://kuroshio-lake/training-sets/x/manifest.json',
    featureViews: [{ name: 'billing_activity', version: 2 }],
    codeVersion: 'abc123',
    backend: 'wasm',
    trainingJobId: 'tj-1',
  },
  requestId: 'tj-1',
  submittedBy: 'alice@bank.example',
};

describe('ModelRegistryClient', () => {
  it('creates the model as actor trainer, then registers the version with artifacts, metrics, params and lineage', async () => {
    const version = await new ModelRegistryClient(client).registerVersion(registration);
    expect(version).toBe(1);
    expect(registry.createdBy).toEqual(['trainer']);
    const sent = registry.registrations[0]!;
    expect(sent.actor).toBe('trainer');
    // The audit log's why names the job and who submitted it; both calls carry it.
    expect(sent.reason).toBe('training job tj-1 submitted by alice@bank.example');
    expect(registry.createReasons).toEqual(['training job tj-1 submitted by alice@bank.example']);
    expect(sent.request.artifacts.map((a) => a.kind)).toEqual(['ARTIFACT_KIND_MODEL', 'ARTIFACT_KIND_MODEL_QUANTIZED_UINT8']);
    expect(sent.request.artifacts[0]!.files[0]).toEqual({ path: 'model.json', sha256: 'a'.repeat(64), sizeBytes: 1234 });
    expect(sent.request.metrics).toEqual({ roc_auc: 0.81, log_loss: 0.3 });
    expect(sent.request.params).toEqual({ modelFamily: 'mlp', hyperparameters: { hiddenUnits: [64, 32] }, missing: null });
    expect(sent.request.lineage).toEqual(registration.lineage);
    expect(sent.request.requestId).toBe('tj-1');
  });

  it('registers into an existing model without creating it again, idempotently per request id', async () => {
    const again = await new ModelRegistryClient(client).registerVersion(registration);
    expect(again).toBe(1);
    const second = await new ModelRegistryClient(client).registerVersion({ ...registration, requestId: 'tj-2' });
    expect(second).toBe(2);
    expect(registry.createdBy).toEqual(['trainer']);
  });

  it('keeps the reason ASCII, as gRPC metadata requires, and says when the submitter is unknown', async () => {
    await new ModelRegistryClient(client).registerVersion({ ...registration, requestId: 'tj-3', submittedBy: '陳小姐' });
    await new ModelRegistryClient(client).registerVersion({ ...registration, requestId: 'tj-4', submittedBy: '' });
    expect(registry.registrations.slice(-2).map((r) => r.reason)).toEqual(['training job tj-3 submitted by ???', 'training job tj-4 submitted by an unknown caller']);
  });
});
