import { clickhouseConfig, kafkaConfig, s3Config } from '@kuroshio/config';
import type { ServiceConfig } from '@kuroshio/service-kit';
import { registryConfig } from './registry-config.js';

/** Everything the model-registry reads from its environment, besides the service settings every service has. */
export const modelRegistryConfigParts = {
  kafka: kafkaConfig({ clientId: 'kuroshio-model-registry' }),
  clickhouse: clickhouseConfig(),
  s3: s3Config(),
  registry: registryConfig(),
};

export type ModelRegistryConfig = ServiceConfig<typeof modelRegistryConfigParts>;
