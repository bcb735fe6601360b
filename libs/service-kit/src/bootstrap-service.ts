import type { ServerCredentials } from '@grpc/grpc-js';
import type { z } from 'zod';
import { composeConfig, loadConfigOrExit, redactConfig, serviceConfig, type Env, type ServiceSettings } from '@kuroshio/config';
import { createLogger, startProcessMetrics, startTracing } from '@kuroshio/telemetry';
import type { GrpcServiceOptions } from './grpc/grpc-endpoint.js';
import { exitOnShutdownSignals } from './shutdown-signals.js';
import { startService, type RunningService, type ServiceModule } from './start-service.js';

/** Config fragments of a service besides `service` (which the kit adds): `{ kafka: kafkaConfig(...), app: ... }`. */
export type ConfigParts = Record<string, z.ZodType> & { readonly service?: never };

export type ServiceConfig<P extends ConfigParts> = { readonly service: ServiceSettings } & { readonly [K in keyof P]: z.output<P[K]> };

export interface BootstrapOptions<P extends ConfigParts> {
  /** `collector`, `etl`, ...: names logs, metrics, traces and the default OTEL_SERVICE_NAME. */
  readonly name: string;
  /** Default HTTP port (HTTP_PORT overrides). */
  readonly httpPort: number;
  readonly config: P;
  readonly module: ServiceModule<ServiceConfig<P>>;
  /** gRPC API of the service; `port` is the default GRPC_PORT. */
  readonly grpc?: GrpcServiceOptions;
  /** Server credentials built from the loaded config (TLS certificate files); plaintext when absent. */
  readonly grpcCredentials?: (config: ServiceConfig<P>) => ServerCredentials | undefined;
  readonly readinessTimeoutMs?: number;
  readonly env?: Env;
}

/**
 * How every Kuroshio service starts: config parsed (every bad key printed, exit 1), then logger,
 * tracing and process metrics, then the Nest app on Fastify with `/healthz`, `/readyz`, `/metrics`,
 * gRPC with health and reflection, and graceful shutdown on SIGTERM/SIGINT.
 */
export async function bootstrapService<P extends ConfigParts>(options: BootstrapOptions<P>): Promise<RunningService<ServiceConfig<P>>> {
  const schema = composeConfig({
    service: serviceConfig({ name: options.name, httpPort: options.httpPort, ...(options.grpc === undefined ? {} : { grpcPort: options.grpc.port }) }),
    ...options.config,
  });
  // composeConfig cannot see through the generic spread of P; the parsed shape is ServiceConfig<P> by construction.
  const config = loadConfigOrExit(schema, options.env ?? process.env) as unknown as ServiceConfig<P>;
  const settings = config.service;

  const logger = createLogger({ service: options.name, level: settings.logLevel });
  const stopTracing = startTracing({ serviceName: settings.otel.serviceName, otlpEndpoint: settings.otel.endpoint });
  startProcessMetrics(options.name);
  logger.info({ config: redactConfig(config) }, 'configuration loaded');

  let service: RunningService<ServiceConfig<P>>;
  try {
    const credentials = options.grpcCredentials?.(config);
    service = await startService({
      config,
      module: options.module,
      logger,
      onShutdown: stopTracing,
      ...(options.grpc === undefined ? {} : { grpc: credentials === undefined ? options.grpc : { ...options.grpc, credentials } }),
      ...(options.readinessTimeoutMs === undefined ? {} : { readinessTimeoutMs: options.readinessTimeoutMs }),
    });
  } catch (error) {
    logger.fatal({ err: error }, 'start-up failed');
    await stopTracing();
    return process.exit(1);
  }
  exitOnShutdownSignals(service.app, settings.shutdownTimeoutMs, logger);
  logger.info({ http: service.httpUrl, grpc: service.grpcAddress, grpcServices: service.grpcServices }, 'listening');
  return service;
}
