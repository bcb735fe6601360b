import { kafkaConfig } from '@kuroshio/config';
import type { ServiceConfig } from '@kuroshio/service-kit';

/** Everything the collector reads from its environment, besides the service settings every service has. */
export const collectorConfigParts = {
  kafka: kafkaConfig({ clientId: 'kuroshio-collector' }),
};

export type CollectorConfig = ServiceConfig<typeof collectorConfigParts>;
