import 'reflect-metadata';
import { bootstrapService } from '@kuroshio/service-kit';
import { etlConfigParts } from './config.js';
import { EtlModule } from './etl.module.js';

await bootstrapService({
  name: 'etl',
  httpPort: 7002,
  config: etlConfigParts,
  module: (config) => EtlModule.forRoot(config),
});
