import { clickhouseConfig, s3Config } from '@kuroshio/config';
import type { ServiceConfig } from '@kuroshio/service-kit';
import { retrainingSettingsConfig } from './retraining/retraining-settings.js';
import { trainerSettingsConfig } from './trainer-settings.js';

/** Everything the trainer reads from its environment, besides the service settings every service has. */
export const trainerConfigParts = {
  clickhouse: clickhouseConfig(),
  s3: s3Config(),
  trainer: trainerSettingsConfig(),
  retraining: retrainingSettingsConfig(),
};

export type TrainerConfig = ServiceConfig<typeof trainerConfigParts>;
