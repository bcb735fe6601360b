import 'reflect-metadata';
import { grpcServiceOptions } from '@kuroshio/contracts';
import { bootstrapService } from '@kuroshio/service-kit';
import { experimentConfigParts } from './config.js';
import { ExperimentModule } from './experiment.module.js';

await bootstrapService({
  name: 'experiment',
  httpPort: 7007,
  config: experimentConfigParts,
  module: (config) => ExperimentModule.forRoot(config),
  grpc: grpcServiceOptions('experiment', 7107),
});
