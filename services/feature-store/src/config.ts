import { clickhouseConfig, kafkaConfig, s3Config } from '@kuroshio/config';
import type { ServiceConfig } from '@kuroshio/service-kit';
import { offlineConfig } from './offline-settings.js';
import { onlineStoreConfig } from './online/online-config.js';

/** Everything the feature-store reads from its environment, besides the service settings every service has. */
export const featureStoreConfigParts = {
  kafka: kafkaConfig({ clientId: 'kuroshio-feature-store' }),
  clickhouse: clickhouseConfig(),
  s3: s3Config(),
  offline: offlineConfig(),
  online: onlineStoreConfig(),
};

export type FeatureStoreConfig = ServiceConfig<typeof featureStoreConfigParts>;
