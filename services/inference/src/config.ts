import { kafkaConfig, s3Config } from '@kuroshio/config';
import type { ServiceConfig } from '@kuroshio/service-kit';

/** Everything the inference reads from its environment, besides the service settings every service has. */
export const inferenceConfigParts = {
  kafka: kafkaConfig({ clientId: 'kuroshio-inference' }),
  s3: s3Config(),
};

export type InferenceConfig = ServiceConfig<typeof inferenceConfigParts>;
