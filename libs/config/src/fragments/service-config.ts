import { z } from 'zod';
import { envPort, envInt, envUrl } from '../env-values.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ServiceDefaults {
  /** Service name, e.g. `collector`; the default for OTEL_SERVICE_NAME. */
  readonly name: string;
  readonly httpPort: number;
  /** Omit for services without gRPC (etl): GRPC_PORT then stays optional. */
  readonly grpcPort?: number;
}

export interface ServiceSettings {
  readonly name: string;
  readonly http: { readonly host: string; readonly port: number };
  /** Absent when the service has no gRPC default and GRPC_PORT is unset. */
  readonly grpc: { readonly host: string; readonly port: number } | undefined;
  readonly logLevel: LogLevel;
  readonly shutdownTimeoutMs: number;
  readonly otel: { readonly serviceName: string; readonly endpoint: string | undefined };
}

// Loopback by default: nothing is reachable from outside unless a deployment opts in with 0.0.0.0.
const LOCAL_HOST = '127.0.0.1';

/** Ports, bind hosts, log level, shutdown budget and OpenTelemetry settings every service has. */
export function serviceConfig(defaults: ServiceDefaults) {
  const grpcPort = defaults.grpcPort === undefined ? envPort().optional() : envPort().default(defaults.grpcPort);
  return z
    .object({
      HTTP_HOST: z.string().default(LOCAL_HOST),
      HTTP_PORT: envPort().default(defaults.httpPort),
      GRPC_HOST: z.string().default(LOCAL_HOST),
      GRPC_PORT: grpcPort,
      LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
      SHUTDOWN_TIMEOUT_MS: envInt({ min: 100, max: 600_000 }).default(15_000),
      OTEL_EXPORTER_OTLP_ENDPOINT: envUrl().optional(),
      OTEL_SERVICE_NAME: z.string().default(defaults.name),
    })
    .transform(
      (env): ServiceSettings => ({
        name: defaults.name,
        http: { host: env.HTTP_HOST, port: env.HTTP_PORT },
        grpc: env.GRPC_PORT === undefined ? undefined : { host: env.GRPC_HOST, port: env.GRPC_PORT },
        logLevel: env.LOG_LEVEL,
        shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
        otel: { serviceName: env.OTEL_SERVICE_NAME, endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT },
      }),
    );
}
