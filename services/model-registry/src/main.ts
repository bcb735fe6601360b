import 'reflect-metadata';
import { grpcServiceOptions } from '@kuroshio/contracts';
import { bootstrapService } from '@kuroshio/service-kit';
import { modelRegistryConfigParts } from './config.js';
import { ModelRegistryModule } from './model-registry.module.js';

await bootstrapService({
  name: 'model-registry',
  httpPort: 7005,
  config: modelRegistryConfigParts,
  module: (config) => ModelRegistryModule.forRoot(config),
  grpc: grpcServiceOptions('model-registry', 7105),
});
