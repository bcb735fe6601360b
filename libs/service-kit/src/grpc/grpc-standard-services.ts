import type { Server } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import type { GrpcHealthStatus } from './grpc-health-status.js';
import { withProtocMapEntryNames } from './reflection-descriptors.js';
import { withImportedDependencies } from './reflection-imports.js';

const healthDefinition = loadSync(healthProtoPath);

/** Fully-qualified names of the services (not messages or enums) in `packages`. */
export function servicesIn(definition: PackageDefinition, packages: readonly string[]): string[] {
  return Object.entries(definition)
    .filter(([name, entry]) => !('format' in entry) && packages.some((pkg) => name.startsWith(`${pkg}.`)))
    .map(([name]) => name);
}

/**
 * Adds `grpc.health.v1.Health` and server reflection to the server Nest built from `definition`,
 * so `grpcurl -plaintext host:port list` shows the service and the health service.
 */
export function addStandardServices(server: Server, definition: PackageDefinition, packages: readonly string[], health: GrpcHealthStatus): string[] {
  const services = servicesIn(definition, packages);
  health.answerFor(services);
  health.implementation.addToServer(server);
  new ReflectionService(withImportedDependencies(withProtocMapEntryNames({ ...definition, ...healthDefinition }))).addToServer(server);
  return services;
}
