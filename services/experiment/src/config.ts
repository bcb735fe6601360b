import { clickhouseConfig, kafkaConfig } from '@kuroshio/config';
import type { ServiceConfig } from '@kuroshio/service-kit';

/** Everything the experiment reads from its environment, besides the service settings every service has. */
export const experimentConfigParts = {
  kafka: kafkaConfig({ clientId: 'kuroshio-experiment' }),
  clickhouse: clickhouseConfig(),
};

export type ExperimentConfig = ServiceConfig<typeof experimentConfigParts>;
