import { clickhouseConfig, kafkaConfig } from '@kuroshio/config';
import type { ServiceConfig } from '@kuroshio/service-kit';
import { experimentSettingsConfig } from './experiment-settings.js';

/** Everything the experiment reads from its environment, besides the service settings every service has. */
export const experimentConfigParts = {
  kafka: kafkaConfig({ clientId: 'kuroshio-experiment' }),
  clickhouse: clickhouseConfig(),
  experiment: experimentSettingsConfig(),
};

export type ExperimentConfig = ServiceConfig<typeof experimentConfigParts>;
