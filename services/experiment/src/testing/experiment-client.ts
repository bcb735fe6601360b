import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { grpcJs } from '@kuroshio/contracts';

const v1 = grpcJs.experiment.v1;
export type DeepPartial<T> = T extends readonly (infer U)[] ? DeepPartial<U>[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
type Callback<T> = (error: ServiceError | null, response: T) => void;

/** A promise-returning @grpc/grpc-js client of ExperimentService that sends x-kuroshio-actor. */
export class ExperimentTestClient {
  readonly #client: grpcJs.experiment.v1.ExperimentServiceClient;

  constructor(
    address: string,
    /** null: send no x-kuroshio-actor. */
    private readonly actor: string | null = 'analyst@bank.example',
  ) {
    this.#client = new v1.ExperimentServiceClient(address, credentials.createInsecure(), { 'grpc.max_send_message_length': 64 * 1024 * 1024 });
  }

  close(): void {
    this.#client.close();
  }

  create(experiment: DeepPartial<grpcJs.experiment.v1.Experiment>) {
    return this.#unary<grpcJs.experiment.v1.CreateExperimentResponse>((m, cb) => this.#client.createExperiment(v1.CreateExperimentRequest.fromPartial({ experiment } as never), m, cb));
  }

  get(key: string) {
    return this.#unary<grpcJs.experiment.v1.GetExperimentResponse>((m, cb) => this.#client.getExperiment({ key }, m, cb));
  }

  list(request: DeepPartial<grpcJs.experiment.v1.ListExperimentsRequest> = {}) {
    return this.#unary<grpcJs.experiment.v1.ListExperimentsResponse>((m, cb) => this.#client.listExperiments(v1.ListExperimentsRequest.fromPartial(request as never), m, cb));
  }

  start(key: string) {
    return this.#unary<grpcJs.experiment.v1.StartExperimentResponse>((m, cb) => this.#client.startExperiment({ key }, m, cb));
  }

  stop(key: string, reason = '') {
    return this.#unary<grpcJs.experiment.v1.StopExperimentResponse>((m, cb) => this.#client.stopExperiment({ key, reason }, m, cb));
  }

  assign(request: DeepPartial<grpcJs.experiment.v1.AssignRequest>) {
    return this.#unary<grpcJs.experiment.v1.AssignResponse>((m, cb) => this.#client.assign(v1.AssignRequest.fromPartial(request as never), m, cb));
  }

  results(request: DeepPartial<grpcJs.experiment.v1.GetResultsRequest>) {
    return this.#unary<grpcJs.experiment.v1.GetResultsResponse>((m, cb) => this.#client.getResults(v1.GetResultsRequest.fromPartial(request as never), m, cb));
  }

  #unary<T>(invoke: (metadata: Metadata, callback: Callback<T>) => unknown): Promise<T> {
    const metadata = new Metadata();
    if (this.actor !== null) metadata.set('x-kuroshio-actor', this.actor);
    return new Promise((resolve, reject) => invoke(metadata, (error, response) => (error ? reject(error) : resolve(response))));
  }
}

/** The error of a call expected to fail. */
export async function refusal(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('expected the call to fail');
}
