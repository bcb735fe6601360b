import type { Server, ServerCredentials } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ServerGrpc, type GrpcOptions } from '@nestjs/microservices';
import { grpcServerTracing } from '@kuroshio/telemetry';
import type { DrainStep } from '../http/draining-fastify-adapter.js';
import type { GrpcHealthStatus } from './grpc-health-status.js';
import { addStandardServices } from './grpc-standard-services.js';

export interface GrpcServiceOptions {
  /** Proto package(s) whose services the app's `@GrpcMethod` handlers implement, e.g. `kuroshio.ingest.v1`. */
  readonly package: string | readonly string[];
  readonly protoPath: string | readonly string[];
  readonly includeDirs?: readonly string[];
  /** Default port when GRPC_PORT is unset. */
  readonly port: number;
  /** @grpc/proto-loader options; must match the generated types (contracts' codegen). */
  readonly loader?: Omit<NonNullable<GrpcOptions['options']['loader']>, 'includeDirs'>;
  /** TLS (or mTLS) for the server; plaintext when absent. */
  readonly credentials?: ServerCredentials;
}

/** Probes and tooling, called every few seconds: no span for them. */
const UNTRACED_SERVICES = ['grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection'];

/**
 * The gRPC side of a service: Nest's transport, plus health, reflection, a drain step and a
 * server span per call (a grpc-js interceptor, below Nest: it sees the caller's metadata and the
 * status the call really ends with, after the error filters, for unary and streaming calls alike).
 */
export class GrpcEndpoint {
  readonly strategy: ServerGrpc;
  #server: Server | undefined;
  #services: string[] = [];

  constructor(options: GrpcServiceOptions, address: { host: string; port: number }, health: GrpcHealthStatus) {
    const packages = typeof options.package === 'string' ? [options.package] : [...options.package];
    this.strategy = new ServerGrpc({
      url: `${address.host}:${address.port}`,
      package: packages,
      protoPath: typeof options.protoPath === 'string' ? options.protoPath : [...options.protoPath],
      loader: { ...options.loader, includeDirs: [...(options.includeDirs ?? [])] },
      // tryShutdown: in-flight calls finish; the drain step bounds how long that may take.
      gracefulShutdown: true,
      // Nest hands channelOptions to `new grpc.Server(...)`, whose ServerOptions take interceptors.
      // No channelz service is served, so grpc-js' per-call channelz bookkeeping would have no reader.
      channelOptions: { 'grpc.enable_channelz': 0, interceptors: [grpcServerTracing({ untracedServices: UNTRACED_SERVICES })] },
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      onLoadPackageDefinition: (definition: PackageDefinition, server: Server) => {
        this.#server = server;
        this.#services = addStandardServices(server, definition, packages, health);
      },
    });
  }

  /** Fully-qualified names of the application services served (health and reflection aside). */
  get services(): readonly string[] {
    return this.#services;
  }

  drainStep(): DrainStep {
    return {
      name: 'grpc',
      graceful: () =>
        new Promise<void>((resolve, reject) => {
          if (this.#server === undefined) return resolve();
          this.#server.tryShutdown((error) => (error === undefined ? resolve() : reject(error)));
        }),
      force: () => this.#server?.forceShutdown(),
    };
  }
}
