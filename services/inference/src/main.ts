import 'reflect-metadata';
import { grpcServiceOptions } from '@kuroshio/contracts';
import { bootstrapService } from '@kuroshio/service-kit';
import { serverCredentials } from './adapters/caller-authentication.js';
import { inferenceConfigParts } from './config.js';
import { InferenceModule } from './inference.module.js';

await bootstrapService({
  name: 'inference',
  httpPort: 7006,
  config: inferenceConfigParts,
  module: (config) => InferenceModule.forRoot(config),
  grpc: grpcServiceOptions('inference', 7106),
  grpcCredentials: (config) => serverCredentials(config.inference),
});
