import { clickhouseConfig, kafkaConfig, s3Config } from '@kuroshio/config';
import type { ServiceConfig } from '@kuroshio/service-kit';

/** Everything the feature-store reads from its environment, besides the service settings every service has. */
export const featureStoreConfigParts = {
  kafka: kafkaConfig({ clientId: 'kuroshio-feature-store' }),
  clickhouse: clickhouseConfig(),
  s3: s3Config(),
};

export type FeatureStoreConfig = ServiceConfig<typeof featureStoreConfigParts>;
