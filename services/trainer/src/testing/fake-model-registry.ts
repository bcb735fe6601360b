import { Server, ServerCredentials, status, loadPackageDefinition, type GrpcObject, type ServiceClientConstructor, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { GRPC_LOADER_OPTIONS, GRPC_SERVICES, type grpcNest } from '@kuroshio/contracts';

export interface RecordedRegistration {
  readonly actor: string;
  /** `x-kuroshio-reason` ('' without one). */
  readonly reason: string;
  readonly request: grpcNest.registry.v1.RegisterModelVersionRequest;
}

/**
 * A FAKE ModelRegistry for tests: GetModel / CreateModel / RegisterModelVersion only, in memory,
 * recording what it was sent. It checks nothing a real registry checks (artifact checksums in S3).
 */
export class FakeModelRegistry {
  readonly models = new Set<string>();
  readonly registrations: RecordedRegistration[] = [];
  readonly createdBy: string[] = [];
  /** `x-kuroshio-reason` of each CreateModel. */
  readonly createReasons: string[] = [];
  private readonly server = new Server();
  private readonly byRequestId = new Map<string, number>();

  async start(): Promise<string> {
    const contract = GRPC_SERVICES['model-registry'];
    const loaded = loadPackageDefinition(loadSync(contract.protoPath, { ...GRPC_LOADER_OPTIONS, includeDirs: contract.includeDirs }));
    const service = contract.fullName.split('.').reduce<unknown>((node, part) => (node as GrpcObject)[part], loaded) as ServiceClientConstructor;
    const actor = (call: ServerUnaryCall<unknown, unknown>) => String(call.metadata.get('x-kuroshio-actor')[0] ?? '');
    const reason = (call: ServerUnaryCall<unknown, unknown>) => String(call.metadata.get('x-kuroshio-reason')[0] ?? '');
    this.server.addService(service.service, {
      GetModel: (call: ServerUnaryCall<{ name: string }, unknown>, callback: sendUnaryData<unknown>) => {
        if (!this.models.has(call.request.name)) return callback({ code: status.NOT_FOUND, details: `no model ${call.request.name}` });
        callback(null, { model: { name: call.request.name } });
      },
      CreateModel: (call: ServerUnaryCall<{ name: string }, unknown>, callback: sendUnaryData<unknown>) => {
        if (this.models.has(call.request.name)) return callback({ code: status.ALREADY_EXISTS, details: 'exists' });
        this.models.add(call.request.name);
        this.createdBy.push(actor(call));
        this.createReasons.push(reason(call));
        callback(null, { model: { name: call.request.name } });
      },
      RegisterModelVersion: (call: ServerUnaryCall<grpcNest.registry.v1.RegisterModelVersionRequest, unknown>, callback: sendUnaryData<unknown>) => {
        const request = call.request;
        if (!this.models.has(request.modelName)) return callback({ code: status.NOT_FOUND, details: `no model ${request.modelName}` });
        let version = this.byRequestId.get(request.requestId);
        if (version === undefined) {
          this.registrations.push({ actor: actor(call), reason: reason(call), request });
          version = this.registrations.filter((r) => r.request.modelName === request.modelName).length;
          this.byRequestId.set(request.requestId, version);
        }
        callback(null, { modelVersion: { modelName: request.modelName, version, artifacts: request.artifacts, metrics: request.metrics, lineage: request.lineage } });
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    return `127.0.0.1:${port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.tryShutdown(() => resolve()));
  }
}
