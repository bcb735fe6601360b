import type { Server, ServerCredentials } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ServerGrpc, type GrpcOptions } from '@nestjs/microservices';
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

/** The gRPC side of a service: Nest's transport, plus health, reflection and a drain step. */
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
