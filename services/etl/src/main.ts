import 'reflect-metadata';
// First, before anything loads kafkajs: @kuroshio/kafka installs its cheaper encoding and decoding.
import { kafkajsEncoding, kafkajsPartitioning } from '@kuroshio/kafka';
import { SERVICE_LOGGER, bootstrapService } from '@kuroshio/service-kit';
import type { Logger } from '@kuroshio/telemetry';
import { etlConfigParts } from './config.js';
import { EtlModule } from './etl.module.js';

const service = await bootstrapService({
  name: 'etl',
  httpPort: 7002,
  config: etlConfigParts,
  module: (config) => EtlModule.forRoot(config),
});

if (Object.values(kafkajsEncoding).some((status) => status !== 'installed') || kafkajsPartitioning !== 'installed') {
  service.app
    .get<Logger>(SERVICE_LOGGER)
    .warn({ kafkajsEncoding, kafkajsPartitioning }, 'kafkajs runs with its own (slower) encoding, decoding or partitioning: fetches and produce requests cost more CPU');
}
