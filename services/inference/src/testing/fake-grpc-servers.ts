import { Server, ServerCredentials, status, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { grpcJs } from '@kuroshio/contracts';

type Unary<Req, Res> = (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void;

async function listen(server: Server): Promise<string> {
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return `127.0.0.1:${port}`;
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => server.tryShutdown(() => resolve()));
}

/**
 * A FAKE ModelRegistry for tests: GetModelVersion only, answering from versions and aliases the
 * test registers (artifacts as the trainer registers them). It checks nothing a real registry checks.
 */
export class FakeModelRegistry {
  readonly versions = new Map<string, grpcJs.registry.v1.ModelVersion>();
  readonly aliases = new Map<string, number>();
  calls = 0;
  readonly #server = new Server();

  add(version: grpcJs.registry.v1.ModelVersion): void {
    this.versions.set(`${version.modelName}@${version.version}`, version);
  }

  async start(): Promise<string> {
    const getModelVersion: Unary<grpcJs.registry.v1.GetModelVersionRequest, grpcJs.registry.v1.GetModelVersionResponse> = (call, callback) => {
      this.calls += 1;
      const { modelName, alias, version } = call.request;
      const resolved = alias !== undefined ? this.aliases.get(`${modelName}@${alias}`) : version;
      const found = resolved === undefined ? undefined : this.versions.get(`${modelName}@${resolved}`);
      if (found === undefined) return callback({ code: status.NOT_FOUND, details: `model ${modelName} has no ${alias ?? `version ${version}`}` });
      callback(null, { modelVersion: found });
    };
    this.#server.addService(grpcJs.registry.v1.ModelRegistryService, { getModelVersion } as never);
    return listen(this.#server);
  }

  stop(): Promise<void> {
    return stop(this.#server);
  }
}

/** A FAKE FeatureService for tests: GetOnlineFeatures from a map of entity → value per feature key ("view:feature"). */
export class FakeFeatureStore {
  readonly values = new Map<string, Record<string, grpcJs.common.v1.ScalarValue>>();
  readonly requests: grpcJs.features.v1.GetOnlineFeaturesRequest[] = [];
  down = false;
  readonly #server = new Server();

  async start(): Promise<string> {
    const getOnlineFeatures: Unary<grpcJs.features.v1.GetOnlineFeaturesRequest, grpcJs.features.v1.GetOnlineFeaturesResponse> = (call, callback) => {
      if (this.down) return callback({ code: status.UNAVAILABLE, details: 'feature store down (fake)' });
      this.requests.push(call.request);
      const { features, entityIds } = call.request;
      const Status = grpcJs.features.v1.FeatureValueStatus;
      callback(null, {
        features,
        rows: entityIds.map((entityId) => ({
          entityId,
          values: features.map((ref) => {
            const value = this.values.get(entityId)?.[`${ref.featureView}:${ref.feature}`];
            return value === undefined ? { status: Status.FEATURE_VALUE_STATUS_NOT_FOUND } : { value, status: Status.FEATURE_VALUE_STATUS_PRESENT };
          }),
        })),
      });
    };
    this.#server.addService(grpcJs.features.v1.FeatureServiceService, { getOnlineFeatures } as never);
    return listen(this.#server);
  }

  stop(): Promise<void> {
    return stop(this.#server);
  }
}

/** A FAKE ExperimentService for tests: GetExperiment from a map. */
export class FakeExperimentService {
  readonly experiments = new Map<string, grpcJs.experiment.v1.Experiment>();
  calls = 0;
  readonly #server = new Server();

  async start(): Promise<string> {
    const getExperiment: Unary<grpcJs.experiment.v1.GetExperimentRequest, grpcJs.experiment.v1.GetExperimentResponse> = (call, callback) => {
      this.calls += 1;
      const experiment = this.experiments.get(call.request.key);
      if (experiment === undefined) return callback({ code: status.NOT_FOUND, details: `no experiment ${call.request.key}` });
      callback(null, { experiment });
    };
    this.#server.addService(grpcJs.experiment.v1.ExperimentServiceService, { getExperiment } as never);
    return listen(this.#server);
  }

  stop(): Promise<void> {
    return stop(this.#server);
  }
}
