import { envBoolean, envInt } from '@kuroshio/config';
import { TOPICS } from '@kuroshio/contracts';
import { z } from 'zod';

export interface ExperimentSettings {
  /** Topic exposures go to and are landed from (overridable so tests run isolated). */
  readonly exposuresTopic: string;
  /** Run the exposures warehouse sink (TopicWarehouseSink into `exposures`) in this service. */
  readonly exposureSinkEnabled: boolean;
  /** Its consumer group, of its own. */
  readonly exposureSinkGroup: string;
  readonly rebuildRetryMs: number;
  /** How long Assign waits for Kafka to acknowledge an exposure. */
  readonly exposureTimeoutMs: number;
}

const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const GROUP = /^[A-Za-z0-9._-]{1,200}$/;

/** EXPERIMENT_* variables. */
export function experimentSettingsConfig() {
  return z
    .object({
      EXPERIMENT_EXPOSURES_TOPIC: z.string().regex(TOPIC, { error: 'expected a Kafka topic name' }).default(TOPICS.experimentExposures.name),
      EXPERIMENT_EXPOSURE_SINK_ENABLED: envBoolean().default(true),
      EXPERIMENT_EXPOSURE_SINK_GROUP: z.string().regex(GROUP, { error: 'expected a consumer group id' }).default('kuroshio-experiment-exposures-sink'),
      EXPERIMENT_REBUILD_RETRY_MS: envInt({ min: 10, max: 600_000 }).default(2_000),
      EXPERIMENT_EXPOSURE_TIMEOUT_MS: envInt({ min: 100, max: 120_000 }).default(10_000),
    })
    .transform(
      (env): ExperimentSettings => ({
        exposuresTopic: env.EXPERIMENT_EXPOSURES_TOPIC,
        exposureSinkEnabled: env.EXPERIMENT_EXPOSURE_SINK_ENABLED,
        exposureSinkGroup: env.EXPERIMENT_EXPOSURE_SINK_GROUP,
        rebuildRetryMs: env.EXPERIMENT_REBUILD_RETRY_MS,
        exposureTimeoutMs: env.EXPERIMENT_EXPOSURE_TIMEOUT_MS,
      }),
    );
}
