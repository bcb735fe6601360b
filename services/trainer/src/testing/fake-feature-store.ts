import { Server, ServerCredentials, loadPackageDefinition, status, type GrpcObject, type ServerUnaryCall, type ServiceClientConstructor, type sendUnaryData } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { GRPC_LOADER_OPTIONS, GRPC_SERVICES, type grpcNest } from '@kuroshio/contracts';

/**
 * A FAKE FeatureService for tests: ExportTrainingSet answers RUNNING and calls `produce` (which
 * stores a training set and returns its manifest URI); GetTrainingSetExport answers RUNNING for the
 * first `pollsBeforeDone` polls, then SUCCEEDED. It records the requests.
 */
export class FakeFeatureStore {
  readonly requests: grpcNest.features.v1.ExportTrainingSetRequest[] = [];
  private readonly server = new Server();
  private readonly exports = new Map<string, { manifestUri: string; polls: number }>();

  constructor(
    private readonly produce: (exportId: string) => Promise<string>,
    private readonly pollsBeforeDone = 2,
  ) {}

  async start(): Promise<string> {
    const contract = GRPC_SERVICES['feature-store'];
    const loaded = loadPackageDefinition(loadSync(contract.protoPath, { ...GRPC_LOADER_OPTIONS, includeDirs: contract.includeDirs }));
    const service = contract.fullName.split('.').reduce<unknown>((node, part) => (node as GrpcObject)[part], loaded) as ServiceClientConstructor;
    this.server.addService(service.service, {
      ExportTrainingSet: (call: ServerUnaryCall<grpcNest.features.v1.ExportTrainingSetRequest, unknown>, callback: sendUnaryData<unknown>) => {
        this.requests.push(call.request);
        const exportId = `fake-${this.requests.length}-${Date.now().toString(36)}`;
        this.produce(exportId).then(
          (manifestUri) => {
            this.exports.set(exportId, { manifestUri, polls: 0 });
            callback(null, { export: { exportId, state: 'EXPORT_STATE_RUNNING' } });
          },
          (error: Error) => callback({ code: status.INTERNAL, details: error.message }),
        );
      },
      GetTrainingSetExport: (call: ServerUnaryCall<{ exportId: string }, unknown>, callback: sendUnaryData<unknown>) => {
        const entry = this.exports.get(call.request.exportId);
        if (entry === undefined) return callback({ code: status.NOT_FOUND, details: 'no such export' });
        entry.polls++;
        const done = entry.polls > this.pollsBeforeDone;
        callback(null, { export: { exportId: call.request.exportId, state: done ? 'EXPORT_STATE_SUCCEEDED' : 'EXPORT_STATE_RUNNING', manifestUri: done ? entry.manifestUri : '' } });
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
