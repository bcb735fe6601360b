import { kafkaConfig } from '@kuroshio/config';
import type { ServiceConfig } from '@kuroshio/service-kit';
import { collectorSettingsConfig } from './collector-settings.js';

/** Everything the collector reads from its environment, besides the service settings every service has. */
export const collectorConfigParts = {
  kafka: kafkaConfig({ clientId: 'kuroshio-collector' }),
  collector: collectorSettingsConfig(),
};

export type CollectorConfig = ServiceConfig<typeof collectorConfigParts>;
