import { existsSync } from 'node:fs';
import { loadSync, type ServiceDefinition } from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import * as grpcJs from './generated/grpc-js/index.kuroshio.js';
import * as grpcNest from './generated/nest/index.kuroshio.js';
import { GRPC_LOADER_OPTIONS, GRPC_SERVICES, grpcServerOptions, type GrpcServiceName } from './grpc-services.js';
import { protoRoot } from './proto-root.js';

// The RPCs each service must expose. The `satisfies` clauses make a renamed, added or removed RPC
// a type error in the spec type-check; the tests make it a failure at run time too.
const NEST_METHODS = {
  collector: { ingestBatch: true, ingestStream: true } satisfies Record<keyof grpcNest.ingest.v1.IngestServiceController, true>,
  'feature-store': {
    listFeatureViews: true,
    getFeatureView: true,
    getOnlineFeatures: true,
    exportTrainingSet: true,
    getTrainingSetExport: true,
    checkParity: true,
  } satisfies Record<keyof grpcNest.features.v1.FeatureServiceController, true>,
  trainer: {
    submitTrainingJob: true,
    getTrainingJob: true,
    listTrainingJobs: true,
    cancelTrainingJob: true,
    runRetrainingCycle: true,
  } satisfies Record<keyof grpcNest.trainer.v1.TrainerServiceController, true>,
  'model-registry': {
    createModel: true,
    getModel: true,
    listModels: true,
    registerModelVersion: true,
    getModelVersion: true,
    listModelVersions: true,
    setAlias: true,
    deleteAlias: true,
    archiveModelVersion: true,
    listAuditEvents: true,
    resolveAliasAt: true,
  } satisfies Record<keyof grpcNest.registry.v1.ModelRegistryController, true>,
  inference: { predict: true, predictBatch: true, predictStream: true } satisfies Record<
    keyof grpcNest.inference.v1.InferenceServiceController,
    true
  >,
  experiment: {
    createExperiment: true,
    getExperiment: true,
    listExperiments: true,
    startExperiment: true,
    stopExperiment: true,
    assign: true,
    getResults: true,
  } satisfies Record<keyof grpcNest.experiment.v1.ExperimentServiceController, true>,
} satisfies Record<GrpcServiceName, object>;

const STREAMING: Record<string, { requestStream: boolean; responseStream: boolean }> = {
  IngestStream: { requestStream: true, responseStream: false },
  PredictStream: { requestStream: true, responseStream: true },
};

const names = Object.keys(GRPC_SERVICES) as GrpcServiceName[];

function generatedModule(tree: Record<string, unknown>, pkg: string): Record<string, unknown> {
  const [, area, version] = pkg.split('.');
  const module = (tree[area ?? ''] as Record<string, Record<string, unknown>> | undefined)?.[version ?? ''];
  if (module === undefined) {
    throw new Error(`no generated code for ${pkg}; run npm run codegen`);
  }
  return module;
}

const upperFirst = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);
const screamingSnake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

describe.each(names)('gRPC contract of %s', (name) => {
  const contract = GRPC_SERVICES[name];
  const rpcs = Object.keys(NEST_METHODS[name]).map(upperFirst);

  it('has its proto files on disk', () => {
    for (const file of contract.protoPath) {
      expect(existsSync(file), file).toBe(true);
    }
  });

  it('loads through @grpc/proto-loader as NestJS loads it, with exactly the expected RPCs', () => {
    const definition = loadSync(contract.protoPath, { ...GRPC_LOADER_OPTIONS, includeDirs: contract.includeDirs });
    const service = definition[contract.fullName] as ServiceDefinition | undefined;
    expect(service, contract.fullName).toBeDefined();
    expect(Object.keys(service ?? {}).sort()).toEqual([...rpcs].sort());
    for (const rpc of rpcs) {
      const method = service?.[rpc];
      expect(method?.path).toBe(`/${contract.fullName}/${rpc}`);
      expect({ requestStream: method?.requestStream, responseStream: method?.responseStream }).toEqual(
        STREAMING[rpc] ?? { requestStream: false, responseStream: false },
      );
    }
  });

  it('has generated NestJS decorators and service name', () => {
    const module = generatedModule(grpcNest, contract.package);
    expect(typeof module[`${contract.service}ControllerMethods`]).toBe('function');
    expect(module[`${screamingSnake(contract.service.replace(/Service$/, ''))}_SERVICE_NAME`]).toBe(contract.service);
  });

  it('has a generated grpc-js client and service definition with the same RPCs', () => {
    const module = generatedModule(grpcJs, contract.package);
    const definition = module[`${contract.service}Service`] as Record<string, { path: string }>;
    expect(Object.values(definition).map((method) => method.path).sort()).toEqual(rpcs.map((rpc) => `/${contract.fullName}/${rpc}`).sort());
    const client = module[`${contract.service}Client`] as { prototype: Record<string, unknown> };
    for (const method of Object.keys(NEST_METHODS[name])) {
      expect(typeof client.prototype[method], method).toBe('function');
    }
  });

  it('gives NestJS its transport options', () => {
    const options = grpcServerOptions(name, '127.0.0.1:0');
    expect(options).toMatchObject({ package: contract.package, protoPath: contract.protoPath, url: '127.0.0.1:0' });
    expect(options.loader).toMatchObject({ keepCase: false, longs: Number, enums: String, defaults: true, includeDirs: [protoRoot] });
  });
});
