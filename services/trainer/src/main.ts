import 'reflect-metadata';
import { grpcServiceOptions } from '@kuroshio/contracts';
import { bootstrapService } from '@kuroshio/service-kit';
import { trainerConfigParts } from './config.js';
import { TrainerModule } from './trainer.module.js';

await bootstrapService({
  name: 'trainer',
  httpPort: 7004,
  config: trainerConfigParts,
  module: (config) => TrainerModule.forRoot(config),
  grpc: grpcServiceOptions('trainer', 7104),
});
