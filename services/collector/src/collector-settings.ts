import { hostname } from 'node:os';
import { envBoolean, envInt } from '@kuroshio/config';
import { TOPICS, TOPIC_NAME_PATTERN } from '@kuroshio/contracts';
import { z } from 'zod';
import { parseSources, readSourcesFile } from './sources/load-sources.js';
import type { Source } from './sources/source-definition.js';

export interface CollectorSettings {
  /** Empty when neither COLLECTOR_SOURCES nor COLLECTOR_SOURCES_FILE is set: every request is refused. */
  readonly sources: readonly Source[];
  /** Identifies this instance in `ingest.collector` of every record. */
  readonly instance: string;
  readonly acceptBodyWriteKey: boolean;
  readonly limits: {
    /** Request body as received (compressed or not). */
    readonly maxBodyBytes: number;
    /** Request body after gzip decompression: what a zip bomb would blow up. */
    readonly maxInflatedBytes: number;
    readonly maxBatchEvents: number;
    /** One event as produced (envelope + ingest metadata, JSON). */
    readonly maxEventBytes: number;
    /** A request body must arrive within this; slower clients get 408 and a closed connection. */
    readonly bodyTimeoutMs: number;
  };
  readonly backpressure: {
    readonly maxInFlightEvents: number;
    readonly maxInFlightBytes: number;
    /** Retry-After on 503 (overload, Kafka unavailable). */
    readonly retryAfterSeconds: number;
  };
  readonly kafka: {
    /** A request whose events Kafka has not acknowledged within this gets 503. */
    readonly deliveryTimeoutMs: number;
    /** How long a send waits for more requests to share its Kafka batch. */
    readonly lingerMs: number;
    readonly maxBatchEvents: number;
    readonly maxBatchBytes: number;
    /** events.raw unless a benchmark points a throw-away collector elsewhere. */
    readonly rawTopic: string;
  };
}

const KB = 1024;
const MB = 1024 * KB;

/** COLLECTOR_* variables (see services/collector/README.md). */
export function collectorSettingsConfig() {
  const fields = z.object({
      COLLECTOR_INSTANCE: z.string().min(1).max(256).optional(),
      HOSTNAME: z.string().optional(),
      COLLECTOR_ACCEPT_BODY_WRITE_KEY: envBoolean().default(true),
      COLLECTOR_MAX_BODY_BYTES: envInt({ min: 1 * KB, max: 64 * MB }).default(500 * KB),
      COLLECTOR_MAX_INFLATED_BYTES: envInt({ min: 1 * KB, max: 256 * MB }).default(2 * MB),
      COLLECTOR_MAX_BATCH_EVENTS: envInt({ min: 1, max: 100_000 }).default(2_500),
      COLLECTOR_MAX_EVENT_BYTES: envInt({ min: 1 * KB, max: 1 * MB }).default(32 * KB),
      COLLECTOR_BODY_TIMEOUT_MS: envInt({ min: 100, max: 600_000 }).default(10_000),
      // ~16 000 events of ~1 KB encoded: 0.3 s at 50 000 events/s, ten times what a healthy broker
      // keeps waiting, and a bound that fits the 300 MB RSS budget (docs/decisions/0010).
      COLLECTOR_MAX_IN_FLIGHT_EVENTS: envInt({ min: 1, max: 10_000_000 }).default(20_000),
      COLLECTOR_MAX_IN_FLIGHT_BYTES: envInt({ min: 1 * MB, max: 4096 * MB }).default(16 * MB),
      COLLECTOR_RETRY_AFTER_SECONDS: envInt({ min: 1, max: 3_600 }).default(5),
      COLLECTOR_DELIVERY_TIMEOUT_MS: envInt({ min: 100, max: 300_000 }).default(10_000),
      COLLECTOR_LINGER_MS: envInt({ min: 0, max: 1_000 }).default(5),
      COLLECTOR_KAFKA_BATCH_EVENTS: envInt({ min: 1, max: 1_000_000 }).default(5_000),
      COLLECTOR_KAFKA_BATCH_BYTES: envInt({ min: 64 * KB, max: 256 * MB }).default(4 * MB),
      COLLECTOR_RAW_TOPIC: z.string().regex(TOPIC_NAME_PATTERN).default(TOPICS.eventsRaw.name),
    });
  // The source list is parsed beside the other fields (not after them) so that a bad list and a bad
  // limit are reported together.
  const sources = z.looseObject({ COLLECTOR_SOURCES: z.string().optional(), COLLECTOR_SOURCES_FILE: z.string().optional() }).transform(loadSources);
  return z
    .preprocess((env) => ({ fields: env, sources: env }), z.object({ fields, sources }))
    .transform(({ fields: env, sources }): CollectorSettings => {
      return {
        sources,
        instance: env.COLLECTOR_INSTANCE ?? env.HOSTNAME ?? hostname(),
        acceptBodyWriteKey: env.COLLECTOR_ACCEPT_BODY_WRITE_KEY,
        limits: {
          maxBodyBytes: env.COLLECTOR_MAX_BODY_BYTES,
          maxInflatedBytes: Math.max(env.COLLECTOR_MAX_INFLATED_BYTES, env.COLLECTOR_MAX_BODY_BYTES),
          maxBatchEvents: env.COLLECTOR_MAX_BATCH_EVENTS,
          maxEventBytes: env.COLLECTOR_MAX_EVENT_BYTES,
          bodyTimeoutMs: env.COLLECTOR_BODY_TIMEOUT_MS,
        },
        backpressure: {
          maxInFlightEvents: env.COLLECTOR_MAX_IN_FLIGHT_EVENTS,
          maxInFlightBytes: env.COLLECTOR_MAX_IN_FLIGHT_BYTES,
          retryAfterSeconds: env.COLLECTOR_RETRY_AFTER_SECONDS,
        },
        kafka: {
          deliveryTimeoutMs: env.COLLECTOR_DELIVERY_TIMEOUT_MS,
          lingerMs: env.COLLECTOR_LINGER_MS,
          maxBatchEvents: env.COLLECTOR_KAFKA_BATCH_EVENTS,
          maxBatchBytes: env.COLLECTOR_KAFKA_BATCH_BYTES,
          rawTopic: env.COLLECTOR_RAW_TOPIC,
        },
      };
    });
}

function loadSources(env: Record<string, unknown> & { COLLECTOR_SOURCES?: string | undefined; COLLECTOR_SOURCES_FILE?: string | undefined }, ctx: z.RefinementCtx): Source[] {
  const strings = env as Readonly<Record<string, string | undefined>>;
  if (env.COLLECTOR_SOURCES !== undefined && env.COLLECTOR_SOURCES_FILE !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['COLLECTOR_SOURCES'], message: 'set COLLECTOR_SOURCES or COLLECTOR_SOURCES_FILE, not both' });
    return [];
  }
  const key = env.COLLECTOR_SOURCES_FILE === undefined ? 'COLLECTOR_SOURCES' : 'COLLECTOR_SOURCES_FILE';
  const result =
    env.COLLECTOR_SOURCES_FILE !== undefined
      ? readSourcesFile(env.COLLECTOR_SOURCES_FILE, strings)
      : env.COLLECTOR_SOURCES !== undefined
        ? parseSources(env.COLLECTOR_SOURCES, strings)
        : { ok: true as const, sources: [] as Source[] };
  if (!result.ok) {
    for (const problem of result.problems) ctx.addIssue({ code: 'custom', path: [key], message: problem });
    return [];
  }
  return result.sources;
}
