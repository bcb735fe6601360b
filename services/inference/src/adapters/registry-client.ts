import { credentials, status } from '@grpc/grpc-js';
import { grpcJs } from '@kuroshio/contracts';
import { tracedClientOptions } from '@kuroshio/telemetry';
import { inferenceError, notFound, unavailable } from '../domain/inference-errors.js';
import type { ModelRegistryPort, VersionArtifacts } from '../domain/serving-model.js';
import { isServiceError, unary } from './grpc-unary.js';

const v1 = grpcJs.registry.v1;
const KIND: Partial<Record<grpcJs.registry.v1.ArtifactKind, VersionArtifacts['artifacts'][number]['kind']>> = {
  [v1.ArtifactKind.ARTIFACT_KIND_MODEL]: 'MODEL',
  [v1.ArtifactKind.ARTIFACT_KIND_MODEL_QUANTIZED_UINT8]: 'MODEL_QUANTIZED_UINT8',
  [v1.ArtifactKind.ARTIFACT_KIND_MODEL_QUANTIZED_FLOAT16]: 'MODEL_QUANTIZED_FLOAT16',
  [v1.ArtifactKind.ARTIFACT_KIND_FEATURE_SPEC]: 'FEATURE_SPEC',
  [v1.ArtifactKind.ARTIFACT_KIND_NORMALIZER]: 'NORMALIZER',
  [v1.ArtifactKind.ARTIFACT_KIND_MANIFEST]: 'MANIFEST',
};

/** `ModelRegistry.GetModelVersion` over gRPC. */
export class GrpcModelRegistry implements ModelRegistryPort {
  readonly #client: grpcJs.registry.v1.ModelRegistryClient;

  constructor(
    address: string,
    private readonly timeoutMs: number,
  ) {
    this.#client = new v1.ModelRegistryClient(address, credentials.createInsecure(), tracedClientOptions());
  }

  async getVersion(modelName: string, selector: { alias: string } | { version: number }): Promise<VersionArtifacts> {
    const what = 'alias' in selector ? `${modelName}@${selector.alias}` : `${modelName} version ${selector.version}`;
    let reply: grpcJs.registry.v1.GetModelVersionResponse;
    try {
      reply = await unary<grpcJs.registry.v1.GetModelVersionResponse>(
        (metadata, options, callback) => this.#client.getModelVersion(v1.GetModelVersionRequest.fromPartial({ modelName, ...selector }), metadata, options, callback),
        Date.now() + this.timeoutMs,
      );
    } catch (error) {
      if (isServiceError(error) && error.code === status.NOT_FOUND) throw notFound('model_not_found', `the model registry knows no ${what}: ${error.details}`);
      if (isServiceError(error) && error.code === status.INVALID_ARGUMENT) throw inferenceError('INVALID_ARGUMENT', 'invalid_model', `${what}: ${error.details}`);
      throw unavailable('registry_unavailable', `the model registry did not answer for ${what}; retry`, error);
    }
    const version = reply.modelVersion;
    if (version === undefined) throw unavailable('registry_unavailable', `the model registry answered without a version for ${what}`);
    return {
      modelName: version.modelName,
      version: version.version,
      ready: version.state !== v1.ModelVersionState.MODEL_VERSION_STATE_ARCHIVED,
      artifacts: version.artifacts.flatMap((artifact) => {
        const kind = KIND[artifact.kind];
        return kind === undefined ? [] : [{ kind, uri: artifact.uri, files: artifact.files.map((file) => ({ path: file.path, sha256: file.sha256 })) }];
      }),
    };
  }

  close(): void {
    this.#client.close();
  }
}
