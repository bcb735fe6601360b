import { TOPICS } from '@kuroshio/contracts';
import { envInt, secret, type Secret } from '@kuroshio/config';
import { z } from 'zod';

export interface EtlSettings {
  readonly topics: { readonly raw: string; readonly clean: string; readonly dlq: string };
  readonly groupId: string;
  /** Upper bound on the bytes one fetch brings per partition, i.e. on a batch. */
  readonly maxBytesPerPartition: number;
  /** Upper bound on one fetch across this process's partitions. */
  readonly maxBytesPerFetch: number;
  readonly partitionsConsumedConcurrently: number;
  /**
   * The group's wait for a member that stopped heartbeating (a kill -9) before its partitions move:
   * the ETL's pause after such a crash. kafkajs has no static membership (group.instance.id).
   */
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** Key prefix inside the lake bucket, before `raw/` and `clean/` (empty or ending in `/`). */
  readonly lakePrefix: string;
  /** PII key: ETL_PII_KEY, else the file ETL_PII_KEY_FILE names; see pii-key.ts when neither is set. */
  readonly piiKey: Secret | undefined;
  readonly piiKeyFile: string | undefined;
  readonly dedupWindowSize: number;
  /** Offsets of a partition before its first batch whose messageIds are loaded from the warehouse on take-over. */
  readonly dedupPreloadOffsets: number;
  /** Events later than this (event time before receivedAt) count as late. */
  readonly lateAfterMs: number;
  /** Corrected event times further than this past receivedAt are clamped and counted as future. */
  readonly futureToleranceMs: number;
  /** Delay before a batch whose sinks failed is handed back to Kafka for redelivery. */
  readonly sinkRetryDelayMs: number;
}

const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const topicName = (fallback: string) => z.string().regex(TOPIC, { error: 'expected a Kafka topic name' }).default(fallback);
const PREFIX = /^([a-z0-9][a-z0-9._=-]*\/)*$/;
const HOUR_MS = 3_600_000;

/** ETL_* variables: topics and group (overridable so tests run isolated), batch bounds, lake prefix, PII key. */
export function etlConfig() {
  return z
    .object({
      ETL_RAW_TOPIC: topicName(TOPICS.eventsRaw.name),
      ETL_CLEAN_TOPIC: topicName(TOPICS.eventsClean.name),
      ETL_DLQ_TOPIC: topicName(TOPICS.eventsDlq.name),
      ETL_CONSUMER_GROUP: z.string().min(1).max(255).default('kuroshio-etl'),
      ETL_MAX_BYTES_PER_PARTITION: envInt({ min: 1024, max: 256 * 1024 * 1024 }).default(4 * 1024 * 1024),
      ETL_MAX_BYTES_PER_FETCH: envInt({ min: 1024, max: 1024 * 1024 * 1024 }).default(8 * 1024 * 1024),
      ETL_PARTITIONS_CONCURRENTLY: envInt({ min: 1, max: 64 }).default(2),
      // The broker refuses sessions outside group.min/max.session.timeout.ms (6 s / 30 min by default).
      ETL_SESSION_TIMEOUT_MS: envInt({ min: 6_000, max: 300_000 }).default(10_000),
      ETL_HEARTBEAT_INTERVAL_MS: envInt({ min: 100, max: 60_000 }).default(1_000),
      ETL_LAKE_PREFIX: z.string().regex(PREFIX, { error: 'expected "" or path segments ending in "/"' }).default(''),
      ETL_PII_KEY: secret().optional(),
      ETL_PII_KEY_FILE: z.string().min(1).optional(),
      ETL_DEDUP_WINDOW: envInt({ min: 0, max: 50_000_000 }).default(500_000),
      ETL_DEDUP_PRELOAD_OFFSETS: envInt({ min: 0, max: 50_000_000 }).default(40_000),
      ETL_LATE_AFTER_MS: envInt({ min: 0 }).default(24 * HOUR_MS),
      ETL_FUTURE_TOLERANCE_MS: envInt({ min: 0 }).default(5 * 60_000),
      ETL_SINK_RETRY_DELAY_MS: envInt({ min: 0, max: 600_000 }).default(2_000),
    })
    .refine((env) => env.ETL_HEARTBEAT_INTERVAL_MS * 3 <= env.ETL_SESSION_TIMEOUT_MS, {
      error: 'ETL_HEARTBEAT_INTERVAL_MS must be at most a third of ETL_SESSION_TIMEOUT_MS',
      path: ['ETL_HEARTBEAT_INTERVAL_MS'],
    })
    .transform(
      (env): EtlSettings => ({
        topics: { raw: env.ETL_RAW_TOPIC, clean: env.ETL_CLEAN_TOPIC, dlq: env.ETL_DLQ_TOPIC },
        groupId: env.ETL_CONSUMER_GROUP,
        maxBytesPerPartition: env.ETL_MAX_BYTES_PER_PARTITION,
        maxBytesPerFetch: env.ETL_MAX_BYTES_PER_FETCH,
        partitionsConsumedConcurrently: env.ETL_PARTITIONS_CONCURRENTLY,
        sessionTimeoutMs: env.ETL_SESSION_TIMEOUT_MS,
        heartbeatIntervalMs: env.ETL_HEARTBEAT_INTERVAL_MS,
        lakePrefix: env.ETL_LAKE_PREFIX,
        piiKey: env.ETL_PII_KEY,
        piiKeyFile: env.ETL_PII_KEY_FILE,
        dedupWindowSize: env.ETL_DEDUP_WINDOW,
        dedupPreloadOffsets: env.ETL_DEDUP_PRELOAD_OFFSETS,
        lateAfterMs: env.ETL_LATE_AFTER_MS,
        futureToleranceMs: env.ETL_FUTURE_TOLERANCE_MS,
        sinkRetryDelayMs: env.ETL_SINK_RETRY_DELAY_MS,
      }),
    );
}
