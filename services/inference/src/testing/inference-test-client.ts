import { credentials, Metadata, type ChannelCredentials, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { grpcJs } from '@kuroshio/contracts';

const v1 = grpcJs.inference.v1;
export type DeepPartial<T> = T extends readonly (infer U)[] ? DeepPartial<U>[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** A promise-returning client of InferenceService for tests and benchmarks. */
export class InferenceTestClient {
  readonly #client: grpcJs.inference.v1.InferenceServiceClient;

  constructor(
    address: string,
    private readonly headers: Record<string, string> = {},
    channel: ChannelCredentials = credentials.createInsecure(),
  ) {
    this.#client = new v1.InferenceServiceClient(address, channel);
  }

  predict(request: DeepPartial<grpcJs.inference.v1.PredictRequest>, deadlineMs = 10_000): Promise<grpcJs.inference.v1.PredictResponse> {
    return new Promise((resolve, reject) =>
      this.#client.predict(v1.PredictRequest.fromPartial(request as never), this.#metadata(), { deadline: Date.now() + deadlineMs }, (error: ServiceError | null, response) =>
        error ? reject(error) : resolve(response),
      ),
    );
  }

  predictBatch(request: DeepPartial<grpcJs.inference.v1.PredictBatchRequest>, deadlineMs = 30_000): Promise<grpcJs.inference.v1.PredictBatchResponse> {
    return new Promise((resolve, reject) =>
      this.#client.predictBatch(v1.PredictBatchRequest.fromPartial(request as never), this.#metadata(), { deadline: Date.now() + deadlineMs }, (error: ServiceError | null, response) =>
        error ? reject(error) : resolve(response),
      ),
    );
  }

  /** Sends every request on one stream, half-closes, and collects every response. */
  async stream(requests: Array<DeepPartial<grpcJs.inference.v1.PredictRequest>>): Promise<grpcJs.inference.v1.PredictStreamResponse[]> {
    const call: ClientDuplexStream<grpcJs.inference.v1.PredictStreamRequest, grpcJs.inference.v1.PredictStreamResponse> = this.#client.predictStream(this.#metadata());
    const responses: grpcJs.inference.v1.PredictStreamResponse[] = [];
    const done = new Promise<void>((resolve, reject) => {
      call.on('data', (response: grpcJs.inference.v1.PredictStreamResponse) => responses.push(response));
      call.on('end', resolve);
      call.on('error', reject);
    });
    for (const request of requests) call.write({ request: v1.PredictRequest.fromPartial(request as never) });
    call.end();
    await done;
    return responses;
  }

  close(): void {
    this.#client.close();
  }

  #metadata(): Metadata {
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(this.headers)) metadata.set(key, value);
    return metadata;
  }
}
