import { clickhouseConfig, kafkaConfig, s3Config } from '@kuroshio/config';
import type { ServiceConfig } from '@kuroshio/service-kit';
import { inferenceSettingsConfig } from './inference-settings.js';

/** Everything the inference reads from its environment, besides the service settings every service has. */
export const inferenceConfigParts = {
  kafka: kafkaConfig({ clientId: 'kuroshio-inference' }),
  // The predictions warehouse sink runs inside inference (TopicWarehouseSink into `predictions`).
  clickhouse: clickhouseConfig(),
  s3: s3Config(),
  inference: inferenceSettingsConfig(),
};

export type InferenceConfig = ServiceConfig<typeof inferenceConfigParts>;
