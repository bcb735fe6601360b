import 'reflect-metadata';
import { grpcServiceOptions } from '@kuroshio/contracts';
import { bootstrapService } from '@kuroshio/service-kit';
import { featureStoreConfigParts } from './config.js';
import { FeatureStoreModule } from './feature-store.module.js';

await bootstrapService({
  name: 'feature-store',
  httpPort: 7003,
  config: featureStoreConfigParts,
  module: (config) => FeatureStoreModule.forRoot(config),
  grpc: grpcServiceOptions('feature-store', 7103),
});
