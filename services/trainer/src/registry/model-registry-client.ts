import { status as GrpcStatus } from '@grpc/grpc-js';
import { grpcNest } from '@kuroshio/contracts';
import type { StoredArtifact } from '../artifacts/job-artifacts.js';
import { ContractClient, isServiceError, reasonMetadata } from '../grpc/contract-client.js';
import type { JobLineage } from '../jobs/training-job.js';

export interface VersionRegistration {
  readonly modelName: string;
  readonly description: string;
  readonly artifacts: readonly StoredArtifact[];
  readonly metrics: Readonly<Record<string, number>>;
  readonly params: Record<string, unknown>;
  readonly lineage: JobLineage;
  /** Idempotency key (the job id): a retried registration returns the same version. */
  readonly requestId: string;
  /** Who submitted the training job; named in the audit log's reason (the actor stays the trainer). */
  readonly submittedBy: string;
}

/** What the trainer needs of the model registry. */
export interface ModelRegistryPort {
  /** Creates the model if needed, registers the version and returns its number. */
  registerVersion(registration: VersionRegistration): Promise<number>;
}

/**
 * `kuroshio.registry.v1.ModelRegistry` over gRPC, as actor `trainer`: the registry takes the caller
 * from `x-kuroshio-actor` and has no acting on behalf of another identity, so the job's submitter is
 * named in `x-kuroshio-reason` (the audit log's why) and in the version's params.
 */
export class ModelRegistryClient implements ModelRegistryPort {
  constructor(private readonly client: ContractClient) {}

  async registerVersion(registration: VersionRegistration): Promise<number> {
    const reason = reasonMetadata(`training job ${registration.requestId} submitted by ${registration.submittedBy === '' ? 'an unknown caller' : registration.submittedBy}`);
    await this.ensureModel(registration.modelName, reason);
    const reply = await this.client.call<grpcNest.registry.v1.RegisterModelVersionRequest, grpcNest.registry.v1.RegisterModelVersionResponse>('RegisterModelVersion', {
      modelName: registration.modelName,
      description: registration.description,
      artifacts: registration.artifacts.map(protoArtifact),
      metrics: finiteMetrics(registration.metrics),
      params: jsonSafe(registration.params) as Record<string, unknown>,
      lineage: {
        datasetManifestHash: registration.lineage.datasetManifestHash,
        datasetUri: registration.lineage.datasetUri,
        featureViews: registration.lineage.featureViews.map((view) => ({ name: view.name, version: view.version })),
        codeVersion: registration.lineage.codeVersion,
        backend: registration.lineage.backend,
        trainingJobId: registration.lineage.trainingJobId,
      },
      requestId: registration.requestId,
    }, reason);
    const version = reply.modelVersion?.version;
    if (version === undefined || version === 0) throw new Error('model registry answered without a version number');
    return version;
  }

  private async ensureModel(name: string, reason: Readonly<Record<string, string>>): Promise<void> {
    try {
      await this.client.call<grpcNest.registry.v1.GetModelRequest, grpcNest.registry.v1.GetModelResponse>('GetModel', { name });
      return;
    } catch (error) {
      if (!isServiceError(error) || error.code !== GrpcStatus.NOT_FOUND) throw error;
    }
    try {
      await this.client.call<grpcNest.registry.v1.CreateModelRequest, grpcNest.registry.v1.CreateModelResponse>('CreateModel', {
        name,
        description: `Trained by the Kuroshio trainer`,
        owner: 'trainer',
        labels: {},
      }, reason);
    } catch (error) {
      // Another job created it in between.
      if (!isServiceError(error) || error.code !== GrpcStatus.ALREADY_EXISTS) throw error;
    }
  }
}

const Kind = grpcNest.registry.v1.ArtifactKind;
const KIND: Record<StoredArtifact['kind'], grpcNest.registry.v1.ArtifactKind> = {
  MODEL: Kind.ARTIFACT_KIND_MODEL,
  MODEL_QUANTIZED_UINT8: Kind.ARTIFACT_KIND_MODEL_QUANTIZED_UINT8,
  MODEL_QUANTIZED_FLOAT16: Kind.ARTIFACT_KIND_MODEL_QUANTIZED_FLOAT16,
  FEATURE_SPEC: Kind.ARTIFACT_KIND_FEATURE_SPEC,
  NORMALIZER: Kind.ARTIFACT_KIND_NORMALIZER,
  MANIFEST: Kind.ARTIFACT_KIND_MANIFEST,
};

export function protoArtifact(artifact: StoredArtifact): grpcNest.registry.v1.ModelArtifact {
  return {
    kind: KIND[artifact.kind],
    uri: artifact.uri,
    files: artifact.files.map((file) => ({ path: file.path, sha256: file.sha256, sizeBytes: file.sizeBytes })),
    metrics: finiteMetrics(artifact.metrics),
  };
}

/** Metrics that are numbers (an AUC is NaN on a one-class test set; it is left out rather than sent as NaN). */
export function finiteMetrics(metrics: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).filter(([, value]) => Number.isFinite(value)));
}

function jsonSafe(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}
