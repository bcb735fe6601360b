import 'reflect-metadata';
// First, before anything loads kafkajs.
import { kafkajsEncoding, kafkajsPartitioning, kafkajsProduceEncoding } from '@kuroshio/kafka';
import { grpcServiceOptions } from '@kuroshio/contracts';
import { SERVICE_LOGGER, bootstrapService } from '@kuroshio/service-kit';
import type { Logger } from '@kuroshio/telemetry';
import { collectorConfigParts } from './config.js';
import { CollectorModule } from './collector.module.js';

const service = await bootstrapService({
  name: 'collector',
  httpPort: 7001,
  config: collectorConfigParts,
  module: (config) => CollectorModule.forRoot(config),
  grpc: grpcServiceOptions('collector', 7101),
});

const { sources } = service.config.collector;
const logger = service.app.get<Logger>(SERVICE_LOGGER);
if (kafkajsEncoding.crc32c !== 'installed' || kafkajsEncoding.encoder !== 'installed') {
  logger.warn({ kafkajsEncoding }, 'kafkajs encodes with its own (slower) CRC-32C or buffers: produce requests cost more CPU');
}
if (kafkajsPartitioning !== 'installed') {
  logger.warn({ kafkajsPartitioning }, 'kafkajs groups messages per partition with its own (quadratic) code: produce requests cost more CPU');
}
if (kafkajsProduceEncoding.status !== 'installed') {
  logger.warn({ kafkajsProduceEncoding }, 'kafkajs encodes produce requests layer by layer (each layer a copy): sends cost more CPU and memory');
}
if (sources.length === 0) {
  logger.warn('no sources configured (COLLECTOR_SOURCES / COLLECTOR_SOURCES_FILE): every ingest request is refused with 401');
} else {
  logger.info({ sources: sources.map((source) => `${source.tenant}/${source.id}`) }, 'sources loaded');
}
