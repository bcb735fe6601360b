import type { AddressInfo } from 'node:net';
import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { CustomStrategy } from '@nestjs/microservices';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ServiceSettings } from '@kuroshio/config';
import { PinoNestLogger, type Logger } from '@kuroshio/telemetry';
import { DomainErrorFilter } from './errors/domain-error-filter.js';
import { GrpcEndpoint, type GrpcServiceOptions } from './grpc/grpc-endpoint.js';
import { GrpcHealthStatus } from './grpc/grpc-health-status.js';
import { DrainingFastifyAdapter, type DrainStep } from './http/draining-fastify-adapter.js';
import { ReadinessService } from './readiness/readiness.service.js';
import { ServiceKitModule } from './service-kit.module.js';

/**
 * Builds the application module from the parsed config: `(config) => CollectorModule.forRoot(config)`,
 * or `() => EtlModule` when the module injects SERVICE_CONFIG instead.
 */
export type ServiceModule<C> = (config: C) => Type<unknown> | DynamicModule;

export interface StartServiceOptions<C extends { readonly service: ServiceSettings }> {
  readonly config: C;
  readonly module: ServiceModule<C>;
  readonly logger: Logger;
  /** Serve gRPC (host and port come from `config.service.grpc`). */
  readonly grpc?: Omit<GrpcServiceOptions, 'port'>;
  readonly readinessTimeoutMs?: number;
  /** How often gRPC health re-evaluates readiness between `/readyz` probes. */
  readonly grpcHealthIntervalMs?: number;
  readonly onShutdown?: () => Promise<void>;
}

export interface RunningService<C> {
  readonly app: NestFastifyApplication;
  readonly config: C;
  /** e.g. `http://127.0.0.1:7001` (the bound port, also when HTTP_PORT=0). */
  readonly httpUrl: string;
  /** `host:port` of the gRPC server, when the service has one. */
  readonly grpcAddress: string | undefined;
  /** Fully-qualified application services the gRPC server answers for. */
  readonly grpcServices: readonly string[];
  /** Drains, runs the shutdown hooks and closes the servers (what SIGTERM does, minus the exit). */
  close(): Promise<void>;
}

@Module({})
class ServiceRootModule {}

/** Builds and starts the Nest app of a service whose config is already loaded (tests call this directly). */
export async function startService<C extends { readonly service: ServiceSettings }>(options: StartServiceOptions<C>): Promise<RunningService<C>> {
  const { config, logger } = options;
  const settings = config.service;
  if (options.grpc !== undefined && settings.grpc === undefined) throw new Error('gRPC is configured but GRPC_PORT is not set');

  const adapter = new DrainingFastifyAdapter();
  const app = await NestFactory.create<NestFastifyApplication>(rootModule(options), adapter, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
    // New requests during shutdown get 503 + Connection: close; sockets left after the drain are cut.
    return503OnClosing: true,
    forceCloseConnections: true,
  });
  // Before connectMicroservice: the gRPC transport takes the app's global filters when it connects.
  app.useGlobalFilters(new DomainErrorFilter());
  const readiness = app.get(ReadinessService);

  const steps: DrainStep[] = [
    {
      name: 'http',
      graceful: () => adapter.getInstance().close(),
      force: () => adapter.getHttpServer().closeAllConnections(),
    },
  ];
  let grpc: GrpcEndpoint | undefined;
  if (options.grpc !== undefined && settings.grpc !== undefined) {
    const health = new GrpcHealthStatus();
    readiness.onReport((report) => health.follow(report));
    grpc = new GrpcEndpoint({ ...options.grpc, port: settings.grpc.port }, settings.grpc, health);
    app.connectMicroservice<CustomStrategy>({ strategy: grpc.strategy }, { inheritAppConfig: true });
    steps.push(grpc.drainStep());
  }

  let poller: NodeJS.Timeout | undefined;
  adapter.configureDrain({
    // Half the shutdown budget for in-flight requests; the rest is for the clients' onModuleDestroy.
    timeoutMs: Math.floor(settings.shutdownTimeoutMs / 2),
    beforeDrain: () => {
      clearInterval(poller);
      readiness.markShuttingDown();
    },
    onDrained: ({ name, forced }) =>
      forced ? logger.warn({ transport: name }, 'in-flight requests cut off at the drain deadline') : logger.info({ transport: name }, 'drained'),
    steps,
  });

  await app.startAllMicroservices();
  await app.listen(settings.http.port, settings.http.host);
  if (grpc !== undefined) {
    // gRPC health has no prober of its own to trigger an evaluation, so readiness is re-evaluated here.
    poller = setInterval(() => {
      readiness.evaluate().catch((error: unknown) => logger.error({ err: error }, 'readiness evaluation failed'));
    }, options.grpcHealthIntervalMs ?? 5_000).unref();
    await readiness.evaluate();
  }

  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    config,
    httpUrl: `http://${clientHost(settings.http.host)}:${port}`,
    grpcAddress: settings.grpc === undefined || grpc === undefined ? undefined : `${clientHost(settings.grpc.host)}:${settings.grpc.port}`,
    grpcServices: grpc?.services ?? [],
    close: () => app.close(),
  };
}

function rootModule<C extends { readonly service: ServiceSettings }>(options: StartServiceOptions<C>): DynamicModule {
  const kit = ServiceKitModule.forRoot({
    name: options.config.service.name,
    config: options.config,
    logger: options.logger,
    ...(options.readinessTimeoutMs === undefined ? {} : { readinessTimeoutMs: options.readinessTimeoutMs }),
    ...(options.onShutdown === undefined ? {} : { onShutdown: options.onShutdown }),
  });
  return { module: ServiceRootModule, imports: [kit, options.module(options.config)] };
}

function clientHost(bindHost: string): string {
  return bindHost === '0.0.0.0' || bindHost === '::' ? '127.0.0.1' : bindHost;
}
