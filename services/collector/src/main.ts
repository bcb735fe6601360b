import 'reflect-metadata';
import { grpcServiceOptions } from '@kuroshio/contracts';
import { bootstrapService } from '@kuroshio/service-kit';
import { collectorConfigParts } from './config.js';
import { CollectorModule } from './collector.module.js';

await bootstrapService({
  name: 'collector',
  httpPort: 7001,
  config: collectorConfigParts,
  module: (config) => CollectorModule.forRoot(config),
  grpc: grpcServiceOptions('collector', 50051),
});
