import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { grpcJs } from '@kuroshio/contracts';

const v1 = grpcJs.registry.v1;
/** Request shapes the generated `fromPartial` completes with defaults. */
export type DeepPartial<T> = T extends readonly (infer U)[] ? DeepPartial<U>[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
type Callback<T> = (error: ServiceError | null, response: T) => void;

/** A promise-returning @grpc/grpc-js client of ModelRegistry that sends x-kuroshio-actor (and any other headers). */
export class RegistryTestClient {
  readonly #client: grpcJs.registry.v1.ModelRegistryClient;

  constructor(
    address: string,
    /** null: send no x-kuroshio-actor. */
    private readonly actor: string | null = 'it-tester@bank.example',
  ) {
    this.#client = new v1.ModelRegistryClient(address, credentials.createInsecure());
  }

  close(): void {
    this.#client.close();
  }

  createModel(request: Partial<grpcJs.registry.v1.CreateModelRequest>, headers: Record<string, string> = {}) {
    return this.#unary<grpcJs.registry.v1.CreateModelResponse>((m, cb) => this.#client.createModel(v1.CreateModelRequest.fromPartial(request as never), m, cb), headers);
  }

  getModel(name: string) {
    return this.#unary<grpcJs.registry.v1.GetModelResponse>((m, cb) => this.#client.getModel({ name }, m, cb));
  }

  registerModelVersion(request: DeepPartial<grpcJs.registry.v1.RegisterModelVersionRequest>, headers: Record<string, string> = {}) {
    return this.#unary<grpcJs.registry.v1.RegisterModelVersionResponse>(
      (m, cb) => this.#client.registerModelVersion(v1.RegisterModelVersionRequest.fromPartial(request as never), m, cb),
      headers,
    );
  }

  getModelVersion(request: DeepPartial<grpcJs.registry.v1.GetModelVersionRequest>) {
    return this.#unary<grpcJs.registry.v1.GetModelVersionResponse>((m, cb) => this.#client.getModelVersion(v1.GetModelVersionRequest.fromPartial(request as never), m, cb));
  }

  listModelVersions(request: DeepPartial<grpcJs.registry.v1.ListModelVersionsRequest>) {
    return this.#unary<grpcJs.registry.v1.ListModelVersionsResponse>((m, cb) => this.#client.listModelVersions(v1.ListModelVersionsRequest.fromPartial(request as never), m, cb));
  }

  setAlias(request: DeepPartial<grpcJs.registry.v1.SetAliasRequest>) {
    return this.#unary<grpcJs.registry.v1.SetAliasResponse>((m, cb) => this.#client.setAlias(v1.SetAliasRequest.fromPartial(request as never), m, cb));
  }

  deleteAlias(request: DeepPartial<grpcJs.registry.v1.DeleteAliasRequest>) {
    return this.#unary<grpcJs.registry.v1.DeleteAliasResponse>((m, cb) => this.#client.deleteAlias(v1.DeleteAliasRequest.fromPartial(request as never), m, cb));
  }

  archiveModelVersion(request: DeepPartial<grpcJs.registry.v1.ArchiveModelVersionRequest>) {
    return this.#unary<grpcJs.registry.v1.ArchiveModelVersionResponse>((m, cb) => this.#client.archiveModelVersion(v1.ArchiveModelVersionRequest.fromPartial(request as never), m, cb));
  }

  listAuditEvents(request: DeepPartial<grpcJs.registry.v1.ListAuditEventsRequest>) {
    return this.#unary<grpcJs.registry.v1.ListAuditEventsResponse>((m, cb) => this.#client.listAuditEvents(v1.ListAuditEventsRequest.fromPartial(request as never), m, cb));
  }

  resolveAliasAt(request: DeepPartial<grpcJs.registry.v1.ResolveAliasAtRequest>) {
    return this.#unary<grpcJs.registry.v1.ResolveAliasAtResponse>((m, cb) => this.#client.resolveAliasAt(v1.ResolveAliasAtRequest.fromPartial(request as never), m, cb));
  }

  #unary<T>(invoke: (metadata: Metadata, callback: Callback<T>) => unknown, headers: Record<string, string> = {}): Promise<T> {
    const metadata = new Metadata();
    if (this.actor !== null) metadata.set('x-kuroshio-actor', this.actor);
    for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
    return new Promise((resolve, reject) => invoke(metadata, (error, response) => (error ? reject(error) : resolve(response))));
  }
}
