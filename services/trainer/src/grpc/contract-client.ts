import { credentials, loadPackageDefinition, Metadata, type Client, type GrpcObject, type ServiceClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { GRPC_LOADER_OPTIONS, GRPC_SERVICES, type GrpcServiceName } from '@kuroshio/contracts';
import { tracedClientOptions } from '@kuroshio/telemetry';

type UnaryMethod = (request: unknown, metadata: Metadata, options: { deadline: Date }, callback: (error: ServiceError | null, reply: unknown) => void) => void;

/**
 * A gRPC client of another Kuroshio service, loaded from the same protos with the same loader options
 * as the NestJS servers, so requests and replies have the `grpcNest` shapes (enums by name, unset
 * messages null). Every call carries `x-kuroshio-actor` and the trace context (a CLIENT span per call).
 */
export class ContractClient {
  private readonly client: Client;

  constructor(
    service: GrpcServiceName,
    address: string,
    private readonly actor: string,
    private readonly deadlineMs = 30_000,
  ) {
    const contract = GRPC_SERVICES[service];
    const definition = loadSync(contract.protoPath, { ...GRPC_LOADER_OPTIONS, includeDirs: contract.includeDirs });
    const loaded = loadPackageDefinition(definition);
    const Constructor = contract.fullName.split('.').reduce<unknown>((node, part) => (node as GrpcObject)[part], loaded) as ServiceClientConstructor;
    this.client = new Constructor(address, credentials.createInsecure(), tracedClientOptions());
  }

  /** `extraMetadata`, e.g. `x-kuroshio-reason`, is sent next to the actor (ASCII values only). */
  call<Request, Reply>(method: string, request: Request, extraMetadata: Readonly<Record<string, string>> = {}): Promise<Reply> {
    const fn = (this.client as unknown as Record<string, UnaryMethod | undefined>)[method];
    if (fn === undefined) return Promise.reject(new Error(`no RPC ${method}`));
    const metadata = new Metadata();
    metadata.set('x-kuroshio-actor', this.actor);
    for (const [key, value] of Object.entries(extraMetadata)) metadata.set(key, value);
    return new Promise<Reply>((resolve, reject) => {
      fn.call(this.client, request, metadata, { deadline: new Date(Date.now() + this.deadlineMs) }, (error, reply) =>
        error === null ? resolve(reply as Reply) : reject(error),
      );
    });
  }

  close(): void {
    this.client.close();
  }
}

const REASON_LIMIT = 1_024;

/** `x-kuroshio-reason`, the why a registry or experiment change is audited with. gRPC metadata carries ASCII only: other characters become "?". */
export function reasonMetadata(reason: string): Record<string, string> {
  return { 'x-kuroshio-reason': reason.replace(/[^\x20-\x7e]/g, '?').slice(0, REASON_LIMIT) };
}

export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number' && 'metadata' in error;
}
