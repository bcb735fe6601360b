import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { grpcNest } from '@kuroshio/contracts';
import { invalidArgument } from '../domain/registry-errors.js';
import { RegistryMetrics } from '../registry-metrics.js';
import { RegistryRuntime } from '../registry-runtime.js';
import { callerOf } from '@kuroshio/control-plane';
import { artifactInputs, lineageInput, msOf, protoAlias, protoAuditEvent, protoModel, protoVersion } from './proto-mapping.js';

type Req<K extends keyof grpcNest.registry.v1.ModelRegistryController> = Parameters<grpcNest.registry.v1.ModelRegistryController[K]>[0];
type Res<T> = Promise<T>;

/**
 * `kuroshio.registry.v1.ModelRegistry`: decodes, hands over to the plain registry, maps back.
 * Coded DomainErrors become gRPC statuses in the service kit's filter.
 */
@Controller()
@grpcNest.registry.v1.ModelRegistryControllerMethods()
export class ModelRegistryGrpcController implements grpcNest.registry.v1.ModelRegistryController {
  constructor(
    private readonly runtime: RegistryRuntime,
    private readonly metrics: RegistryMetrics,
  ) {}

  private get registry() {
    return this.runtime.registry;
  }

  createModel(request: Req<'createModel'>, metadata?: Metadata): Res<grpcNest.registry.v1.CreateModelResponse> {
    return this.timed('CreateModel', async () => {
      const model = await this.registry.createModel(callerOf(metadata), {
        name: request.name,
        description: request.description,
        owner: request.owner,
        labels: request.labels ?? {},
      });
      return { model: protoModel(model) };
    });
  }

  getModel(request: Req<'getModel'>): Res<grpcNest.registry.v1.GetModelResponse> {
    return this.timed('GetModel', async () => ({ model: protoModel(this.registry.getModel(request.name)) }));
  }

  listModels(request: Req<'listModels'>): Res<grpcNest.registry.v1.ListModelsResponse> {
    return this.timed('ListModels', async () => {
      const page = this.registry.listModels({ pageSize: request.pageSize, pageToken: request.pageToken });
      return { models: page.items.map(protoModel), nextPageToken: page.nextPageToken };
    });
  }

  registerModelVersion(request: Req<'registerModelVersion'>, metadata?: Metadata): Res<grpcNest.registry.v1.RegisterModelVersionResponse> {
    return this.timed('RegisterModelVersion', async () => {
      const { model, version } = await this.registry.registerVersion(callerOf(metadata), {
        modelName: request.modelName,
        requestId: request.requestId,
        version: {
          description: request.description,
          artifacts: artifactInputs(request.artifacts),
          metrics: request.metrics ?? {},
          params: request.params ?? null,
          lineage: lineageInput(request.lineage),
        },
      });
      return { modelVersion: protoVersion(model, version) };
    });
  }

  getModelVersion(request: Req<'getModelVersion'>): Res<grpcNest.registry.v1.GetModelVersionResponse> {
    return this.timed('GetModelVersion', async () => {
      const { model, version } = this.registry.getVersion(request.modelName, { version: request.version ?? null, alias: request.alias ?? null });
      return { modelVersion: protoVersion(model, version) };
    });
  }

  listModelVersions(request: Req<'listModelVersions'>): Res<grpcNest.registry.v1.ListModelVersionsResponse> {
    return this.timed('ListModelVersions', async () => {
      const page = this.registry.listVersions(request);
      return { modelVersions: page.items.map((entry) => protoVersion(page.model, entry)), nextPageToken: page.nextPageToken };
    });
  }

  setAlias(request: Req<'setAlias'>, metadata?: Metadata): Res<grpcNest.registry.v1.SetAliasResponse> {
    return this.timed('SetAlias', async () => {
      const result = await this.registry.setAlias(callerOf(metadata, request.reason), {
        modelName: request.modelName,
        alias: request.alias,
        version: request.version,
        expectedVersion: request.expectedVersion ?? undefined,
      });
      return { alias: protoAlias(request.alias, result.alias), previousVersion: result.previousVersion };
    });
  }

  deleteAlias(request: Req<'deleteAlias'>, metadata?: Metadata): Res<grpcNest.registry.v1.DeleteAliasResponse> {
    return this.timed('DeleteAlias', async () =>
      this.registry.deleteAlias(callerOf(metadata, request.reason), {
        modelName: request.modelName,
        alias: request.alias,
        expectedVersion: request.expectedVersion ?? undefined,
      }),
    );
  }

  archiveModelVersion(request: Req<'archiveModelVersion'>, metadata?: Metadata): Res<grpcNest.registry.v1.ArchiveModelVersionResponse> {
    return this.timed('ArchiveModelVersion', async () => {
      const { model, version } = await this.registry.archiveVersion(callerOf(metadata, request.reason), { modelName: request.modelName, version: request.version });
      return { modelVersion: protoVersion(model, version) };
    });
  }

  listAuditEvents(request: Req<'listAuditEvents'>): Res<grpcNest.registry.v1.ListAuditEventsResponse> {
    return this.timed('ListAuditEvents', async () => {
      const page = this.registry.listAudit({
        modelName: request.modelName,
        alias: request.alias,
        fromMs: msOf(request.timeRange?.startTime),
        toMs: msOf(request.timeRange?.endTime),
        pageSize: request.pageSize,
        pageToken: request.pageToken,
      });
      return { events: page.items.map(protoAuditEvent), nextPageToken: page.nextPageToken };
    });
  }

  resolveAliasAt(request: Req<'resolveAliasAt'>): Res<grpcNest.registry.v1.ResolveAliasAtResponse> {
    return this.timed('ResolveAliasAt', async () => {
      const at = msOf(request.time);
      if (at === undefined) throw invalidArgument('time is required: the instant to resolve the alias at', 'time_missing');
      const resolved = this.registry.resolveAliasAt(request.modelName, request.alias, at);
      return { version: resolved.version, assignedBy: resolved.assignedBy === null ? null : protoAuditEvent(resolved.assignedBy) };
    });
  }

  private async timed<T>(method: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    let code = 'OK';
    try {
      return await run();
    } catch (error) {
      code = (error as { code?: string }).code ?? 'UNKNOWN';
      throw error;
    } finally {
      this.metrics.request(method, code, (performance.now() - started) / 1000);
    }
  }
}

