import type { GrpcOptions } from '@nestjs/microservices';
// The NestJS tree registers protobufjs wrappers that turn google.protobuf.Struct into plain
// objects. Whoever loads protos with GRPC_LOADER_OPTIONS must have them, so load them here.
import './generated/nest/index.js';
import { protoFile, protoRoot } from './proto-root.js';

export interface GrpcServiceContract {
  /** Proto package, for NestJS `options.package`. */
  package: string;
  /** Service name inside the package. */
  service: string;
  /** Fully qualified name, as grpc.health.v1 and server reflection know it. */
  fullName: string;
  /** Absolute proto file paths, for NestJS `options.protoPath`. */
  protoPath: string[];
  /** Where their imports resolve from, for `options.loader.includeDirs`. */
  includeDirs: string[];
}

function contract(pkg: string, service: string, file: string): GrpcServiceContract {
  return { package: pkg, service, fullName: `${pkg}.${service}`, protoPath: [protoFile(file)], includeDirs: [protoRoot] };
}

/** The gRPC API of each service that speaks gRPC (etl does not), keyed by service name. */
export const GRPC_SERVICES = {
  collector: contract('kuroshio.ingest.v1', 'IngestService', 'kuroshio/ingest/v1/ingest_service.proto'),
  'feature-store': contract('kuroshio.features.v1', 'FeatureService', 'kuroshio/features/v1/feature_service.proto'),
  trainer: contract('kuroshio.trainer.v1', 'TrainerService', 'kuroshio/trainer/v1/trainer_service.proto'),
  'model-registry': contract('kuroshio.registry.v1', 'ModelRegistry', 'kuroshio/registry/v1/model_registry.proto'),
  inference: contract('kuroshio.inference.v1', 'InferenceService', 'kuroshio/inference/v1/inference_service.proto'),
  experiment: contract('kuroshio.experiment.v1', 'ExperimentService', 'kuroshio/experiment/v1/experiment_service.proto'),
} as const satisfies Record<string, GrpcServiceContract>;

export type GrpcServiceName = keyof typeof GRPC_SERVICES;

type LoaderOptions = NonNullable<GrpcOptions['options']['loader']>;

/**
 * @grpc/proto-loader options under which objects match the generated `grpcNest` types:
 * camelCase fields, int64 as number, enums by name, every scalar and repeated field present
 * with its default, an unset message field as null, and oneof members present only when set.
 */
export const GRPC_LOADER_OPTIONS: Readonly<Omit<LoaderOptions, 'includeDirs'>> = Object.freeze({
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: false,
});

/** NestJS `Transport.GRPC` options for a service: its contract plus the loader options above. */
export function grpcServerOptions(name: GrpcServiceName, url: string): GrpcOptions['options'] {
  const service = GRPC_SERVICES[name];
  return {
    url,
    package: service.package,
    protoPath: [...service.protoPath],
    loader: { ...GRPC_LOADER_OPTIONS, includeDirs: [...service.includeDirs] },
  };
}

/** What a Kuroshio service hands its gRPC server: the contract, the loader options and its default port. */
export function grpcServiceOptions(name: GrpcServiceName, port: number) {
  const service = GRPC_SERVICES[name];
  return {
    package: service.package,
    protoPath: [...service.protoPath],
    includeDirs: [...service.includeDirs],
    loader: GRPC_LOADER_OPTIONS,
    port,
  };
}
