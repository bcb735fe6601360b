import { TOPICS } from '@kuroshio/contracts';
import { envInt } from '@kuroshio/config';
import { z } from 'zod';

export interface OnlineStoreSettings {
  readonly topic: string;
  /**
   * Consumer group; also names the snapshot prefix. One member per group: every replica needs every
   * partition, so replicas use their own group (e.g. suffixed with the pod name).
   */
  readonly groupId: string;
  /** `lake` or `models`: the bucket that holds `feature-store/online-snapshots/<group>/`. */
  readonly snapshotBucket: 'lake' | 'models';
  readonly snapshotIntervalMs: number;
  readonly snapshotsKept: number;
  readonly retentionSlackMs: number;
  readonly sweepIntervalMs: number;
  readonly maxEntitiesPerRequest: number;
  readonly maxValuesPerRequest: number;
}

const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const MINUTE_MS = 60_000;

/** FEATURE_STORE_ONLINE_* variables. */
export function onlineStoreConfig() {
  return z
    .object({
      FEATURE_STORE_ONLINE_TOPIC: z.string().regex(TOPIC, { error: 'expected a Kafka topic name' }).default(TOPICS.eventsClean.name),
      FEATURE_STORE_ONLINE_GROUP: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, { error: 'expected letters, digits, ".", "_" or "-"' }).default('kuroshio-feature-store-online'),
      FEATURE_STORE_ONLINE_SNAPSHOT_BUCKET: z.enum(['lake', 'models']).default('lake'),
      FEATURE_STORE_ONLINE_SNAPSHOT_INTERVAL_MS: envInt({ min: 1_000 }).default(5 * MINUTE_MS),
      FEATURE_STORE_ONLINE_SNAPSHOTS_KEPT: envInt({ min: 1, max: 100 }).default(3),
      FEATURE_STORE_ONLINE_RETENTION_SLACK_MS: envInt({ min: 0 }).default(60 * MINUTE_MS),
      FEATURE_STORE_ONLINE_SWEEP_INTERVAL_MS: envInt({ min: 1_000 }).default(MINUTE_MS),
      FEATURE_STORE_ONLINE_MAX_ENTITIES: envInt({ min: 1, max: 100_000 }).default(1_000),
      FEATURE_STORE_ONLINE_MAX_VALUES: envInt({ min: 1, max: 10_000_000 }).default(100_000),
    })
    .transform(
      (env): OnlineStoreSettings => ({
        topic: env.FEATURE_STORE_ONLINE_TOPIC,
        groupId: env.FEATURE_STORE_ONLINE_GROUP,
        snapshotBucket: env.FEATURE_STORE_ONLINE_SNAPSHOT_BUCKET,
        snapshotIntervalMs: env.FEATURE_STORE_ONLINE_SNAPSHOT_INTERVAL_MS,
        snapshotsKept: env.FEATURE_STORE_ONLINE_SNAPSHOTS_KEPT,
        retentionSlackMs: env.FEATURE_STORE_ONLINE_RETENTION_SLACK_MS,
        sweepIntervalMs: env.FEATURE_STORE_ONLINE_SWEEP_INTERVAL_MS,
        maxEntitiesPerRequest: env.FEATURE_STORE_ONLINE_MAX_ENTITIES,
        maxValuesPerRequest: env.FEATURE_STORE_ONLINE_MAX_VALUES,
      }),
    );
}
