import { status as GrpcStatus } from '@grpc/grpc-js';
import { dateFromTimestamp, grpcNest } from '@kuroshio/contracts';
import { DomainError } from '@kuroshio/service-kit';
import { ContractClient, isServiceError } from '../../grpc/contract-client.js';
import { AliasConflictError, type AliasChange, type ModelAliases, type RetrainingRegistry, type VersionFacts } from '../retraining-ports.js';

const REASON_LIMIT = 1_024;

/** The model registry as the retraining run uses it: aliases with expected versions and reasons, as actor `retraining`. */
export class GrpcRetrainingRegistry implements RetrainingRegistry {
  constructor(private readonly client: ContractClient) {}

  async aliases(modelName: string): Promise<ModelAliases> {
    let reply: grpcNest.registry.v1.GetModelResponse;
    try {
      reply = await this.client.call<grpcNest.registry.v1.GetModelRequest, grpcNest.registry.v1.GetModelResponse>('GetModel', { name: modelName });
    } catch (error) {
      if (isServiceError(error) && error.code === GrpcStatus.NOT_FOUND) {
        throw new DomainError('FAILED_PRECONDITION', `model ${modelName} is not registered`, { reason: 'model_not_found', details: { modelName } });
      }
      throw error;
    }
    const aliases = reply.model?.aliases ?? [];
    const at = (alias: string) => aliases.find((a) => a.alias === alias)?.version ?? null;
    return { champion: at('champion'), challenger: at('challenger') };
  }

  async version(modelName: string, version: number): Promise<VersionFacts> {
    const reply = await this.client.call<grpcNest.registry.v1.GetModelVersionRequest, grpcNest.registry.v1.GetModelVersionResponse>('GetModelVersion', { modelName, version });
    const found = reply.modelVersion;
    if (!found) throw new Error(`the registry answered without ${modelName} v${version}`);
    const manifest = found.artifacts.find((a) => a.kind === grpcNest.registry.v1.ArtifactKind.ARTIFACT_KIND_MANIFEST);
    const file = manifest?.files[0]?.path;
    return {
      version: found.version,
      createTimeMs: found.createTime ? dateFromTimestamp(found.createTime).getTime() : 0,
      manifestUri: manifest && file ? manifest.uri + file : '',
      datasetUri: found.lineage?.datasetUri ?? '',
    };
  }

  async setAlias(change: AliasChange & { version: number }): Promise<void> {
    await this.#guarded(change, () =>
      this.client.call<grpcNest.registry.v1.SetAliasRequest, grpcNest.registry.v1.SetAliasResponse>('SetAlias', {
        modelName: change.modelName,
        alias: change.alias,
        version: change.version,
        expectedVersion: change.expectedVersion,
        reason: change.reason.slice(0, REASON_LIMIT),
      }),
    );
  }

  async deleteAlias(change: AliasChange): Promise<void> {
    await this.#guarded(change, () =>
      this.client.call<grpcNest.registry.v1.DeleteAliasRequest, grpcNest.registry.v1.DeleteAliasResponse>('DeleteAlias', {
        modelName: change.modelName,
        alias: change.alias,
        expectedVersion: change.expectedVersion,
        reason: change.reason.slice(0, REASON_LIMIT),
      }),
    );
  }

  async archiveVersion(modelName: string, version: number, reason: string): Promise<void> {
    await this.client.call<grpcNest.registry.v1.ArchiveModelVersionRequest, grpcNest.registry.v1.ArchiveModelVersionResponse>('ArchiveModelVersion', {
      modelName,
      version,
      reason: reason.slice(0, REASON_LIMIT),
    });
  }

  async #guarded(change: AliasChange, call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (error) {
      if (isServiceError(error) && error.code === GrpcStatus.FAILED_PRECONDITION) {
        throw new AliasConflictError(`${change.modelName} alias ${change.alias} is not at v${change.expectedVersion}: ${error.details}`);
      }
      throw error;
    }
  }
}

