import { clickhouseConfig, kafkaConfig, s3Config } from '@kuroshio/config';
import type { ServiceConfig } from '@kuroshio/service-kit';
import { etlConfig } from './etl-config.js';

/** Everything the etl reads from its environment, besides the service settings every service has. */
export const etlConfigParts = {
  kafka: kafkaConfig({ clientId: 'kuroshio-etl' }),
  clickhouse: clickhouseConfig(),
  s3: s3Config(),
  etl: etlConfig(),
};

export type EtlConfig = ServiceConfig<typeof etlConfigParts>;
