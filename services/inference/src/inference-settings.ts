import { existsSync } from 'node:fs';
import { envBoolean, envHostPort, envInt, envList } from '@kuroshio/config';
import { TOPICS } from '@kuroshio/contracts';
import { BACKEND_PREFERENCE, type BackendChoice } from '@kuroshio/model-runtime';
import { z } from 'zod';
import { parseModelTarget, type ModelTarget } from './domain/model-selector.js';

/** Which artifact of a version is loaded and served. */
export const SERVED_ARTIFACT_CHOICES = ['full', 'quantized-uint8', 'quantized-float16'] as const;
export type ServedArtifactChoice = (typeof SERVED_ARTIFACT_CHOICES)[number];

export const AUTH_MODES = ['none', 'api-key', 'mtls'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export interface BatchingSettings {
  /** false: every request is its own model call (the reference the benchmark compares against). */
  readonly enabled: boolean;
  readonly maxBatchSize: number;
  readonly maxQueueDelayMs: number;
  /** Rows waiting per model before new requests are shed with RESOURCE_EXHAUSTED. */
  readonly maxQueuedRows: number;
  /** Model calls in flight per model. */
  readonly maxConcurrentBatches: number;
}

export interface InferenceSettings {
  readonly modelRegistryAddress: string;
  readonly featureStoreAddress: string;
  readonly experimentAddress: string;
  readonly artifact: ServedArtifactChoice;
  readonly backend: 'auto' | BackendChoice;
  readonly batching: BatchingSettings;
  /** Most instances one PredictBatch may carry. */
  readonly maxBatchInstances: number;
  /** How long a request for a model not loaded yet waits for the load before UNAVAILABLE. */
  readonly coldLoadWaitMs: number;
  /** Loaded at start-up (in the background), e.g. `bad-debt@champion`, `bad-debt@3`. */
  readonly preload: readonly ModelTarget[];
  readonly features: { readonly cacheTtlMs: number; readonly cacheMaxEntries: number; readonly timeoutMs: number; readonly maxCallsInFlight: number };
  readonly registryTimeoutMs: number;
  readonly experiments: { readonly cacheTtlMs: number; readonly timeoutMs: number };
  /** Route requests for a `champion` alias by the retraining experiment of its `challenger` (domain/challenger-routing.ts). */
  readonly routeChallengers: boolean;
  readonly topics: { readonly predictions: string; readonly exposures: string; readonly aliasChanges: string };
  /** Group id prefix; each process appends its own suffix, so every instance reads the compacted topic from the start. */
  readonly aliasChangesGroupPrefix: string;
  readonly predictionLog: { readonly bufferRecords: number; readonly sendBatchRecords: number; readonly retryMs: number; readonly lingerMs: number };
  readonly warehouseSink: { readonly enabled: boolean; readonly groupId: string };
  readonly auth: { readonly mode: AuthMode; readonly apiKeySha256: readonly string[] };
  readonly tls: { readonly certFile: string; readonly keyFile: string; readonly clientCaFile: string } | undefined;
}

const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const GROUP = /^[A-Za-z0-9._-]{1,200}$/;
const SHA256 = /^[0-9a-f]{64}$/;

function topic(fallback: string) {
  return z.string().regex(TOPIC, { error: 'expected a Kafka topic name' }).default(fallback);
}

function file() {
  return z
    .string()
    .min(1)
    .refine((path) => existsSync(path), { error: 'file does not exist' })
    .optional();
}

// Rules across keys, checked on the raw variables beside the field schema (not as a refinement of
// it) so they are reported even when another INFERENCE_* key is wrong.
const crossKeyRules = z
  .object({
    GRPC_HOST: z.string().optional(),
    INFERENCE_AUTH: z.string().optional(),
    // A malformed value is reported by the field schema; here it counts as not set.
    INFERENCE_INSECURE_API_KEYS_WITHOUT_TLS: envBoolean().optional().catch(undefined),
    INFERENCE_API_KEY_SHA256: z.string().optional(),
    INFERENCE_TLS_CERT_FILE: z.string().optional(),
    INFERENCE_TLS_KEY_FILE: z.string().optional(),
    INFERENCE_TLS_CLIENT_CA_FILE: z.string().optional(),
  })
  .superRefine((env, ctx) => {
      if (env.INFERENCE_AUTH === 'api-key' && env.INFERENCE_API_KEY_SHA256 === undefined) {
        ctx.addIssue({ code: 'custom', path: ['INFERENCE_API_KEY_SHA256'], message: 'required when INFERENCE_AUTH=api-key' });
      }
      if ((env.INFERENCE_TLS_CERT_FILE === undefined) !== (env.INFERENCE_TLS_KEY_FILE === undefined)) {
        const missing = env.INFERENCE_TLS_CERT_FILE === undefined ? 'INFERENCE_TLS_CERT_FILE' : 'INFERENCE_TLS_KEY_FILE';
        ctx.addIssue({ code: 'custom', path: [missing], message: 'the TLS certificate and key come together' });
      }
      // An API key is a bearer secret: sent in clear, anyone on the path can replay it. Loopback never
      // leaves the host; a mesh sidecar or node-local TLS terminator is the opt-out's case.
      if (
        env.INFERENCE_AUTH === 'api-key' &&
        env.INFERENCE_TLS_CERT_FILE === undefined &&
        !isLoopback(env.GRPC_HOST ?? '127.0.0.1') &&
        env.INFERENCE_INSECURE_API_KEYS_WITHOUT_TLS !== true
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['INFERENCE_TLS_CERT_FILE'],
          message: `required when INFERENCE_AUTH=api-key and the server listens beyond loopback (GRPC_HOST=${env.GRPC_HOST}): x-api-key would travel in clear. Set INFERENCE_TLS_CERT_FILE/INFERENCE_TLS_KEY_FILE, or INFERENCE_INSECURE_API_KEYS_WITHOUT_TLS=true where something else encrypts the traffic`,
        });
      }
      if (env.INFERENCE_AUTH === 'mtls') {
        for (const key of ['INFERENCE_TLS_CERT_FILE', 'INFERENCE_TLS_KEY_FILE', 'INFERENCE_TLS_CLIENT_CA_FILE'] as const) {
          if (env[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'required when INFERENCE_AUTH=mtls' });
        }
      }
      if (env.INFERENCE_TLS_CLIENT_CA_FILE !== undefined && env.INFERENCE_AUTH !== 'mtls') {
        ctx.addIssue({ code: 'custom', path: ['INFERENCE_TLS_CLIENT_CA_FILE'], message: 'only used with INFERENCE_AUTH=mtls' });
      }
    });

/** 127.0.0.0/8, ::1 and localhost: addresses no other host can reach. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** INFERENCE_* variables (see services/inference/README.md). */
export function inferenceSettingsConfig() {
  const fields = z.object({
      INFERENCE_MODEL_REGISTRY_ADDRESS: envHostPort().default('127.0.0.1:7105'),
      INFERENCE_FEATURE_STORE_ADDRESS: envHostPort().default('127.0.0.1:7103'),
      INFERENCE_EXPERIMENT_ADDRESS: envHostPort().default('127.0.0.1:7107'),
      INFERENCE_ARTIFACT: z.enum(SERVED_ARTIFACT_CHOICES).default('full'),
      INFERENCE_TFJS_BACKEND: z.enum(['auto', ...BACKEND_PREFERENCE]).default('auto'),
      INFERENCE_BATCHING: envBoolean().default(true),
      INFERENCE_MAX_BATCH_SIZE: envInt({ min: 1, max: 65_536 }).default(64),
      INFERENCE_MAX_QUEUE_DELAY_MS: envInt({ min: 0, max: 1_000 }).default(1),
      INFERENCE_MAX_QUEUED_ROWS: envInt({ min: 1, max: 10_000_000 }).default(20_000),
      INFERENCE_MAX_CONCURRENT_BATCHES: envInt({ min: 1, max: 64 }).default(1),
      INFERENCE_MAX_BATCH_INSTANCES: envInt({ min: 1, max: 1_000_000 }).default(10_000),
      INFERENCE_COLD_LOAD_WAIT_MS: envInt({ min: 0, max: 600_000 }).default(5_000),
      INFERENCE_PRELOAD: envList(z.string().transform((raw, ctx) => {
        const parsed = parseModelTarget(raw);
        if (typeof parsed === 'string') {
          ctx.addIssue({ code: 'custom', message: parsed });
          return z.NEVER;
        }
        return parsed;
      }), 'model@alias or model@version').optional(),
      INFERENCE_FEATURE_CACHE_TTL_MS: envInt({ min: 0, max: 3_600_000 }).default(1_000),
      INFERENCE_FEATURE_CACHE_MAX_ENTRIES: envInt({ min: 1, max: 10_000_000 }).default(100_000),
      INFERENCE_FEATURE_TIMEOUT_MS: envInt({ min: 1, max: 60_000 }).default(250),
      INFERENCE_FEATURE_MAX_CALLS_IN_FLIGHT: envInt({ min: 1, max: 64 }).default(2),
      INFERENCE_REGISTRY_TIMEOUT_MS: envInt({ min: 10, max: 600_000 }).default(5_000),
      INFERENCE_EXPERIMENT_CACHE_TTL_MS: envInt({ min: 1, max: 3_600_000 }).default(10_000),
      INFERENCE_EXPERIMENT_TIMEOUT_MS: envInt({ min: 1, max: 60_000 }).default(250),
      INFERENCE_ROUTE_CHALLENGERS: envBoolean().default(true),
      INFERENCE_PREDICTIONS_TOPIC: topic(TOPICS.servingPredictions.name),
      INFERENCE_EXPOSURES_TOPIC: topic(TOPICS.experimentExposures.name),
      INFERENCE_ALIAS_CHANGES_TOPIC: topic(TOPICS.registryAliasChanges.name),
      INFERENCE_ALIAS_CHANGES_GROUP_PREFIX: z.string().regex(GROUP, { error: 'expected a consumer group id' }).default('kuroshio-inference-aliases'),
      INFERENCE_PREDICTION_LOG_BUFFER: envInt({ min: 1, max: 10_000_000 }).default(100_000),
      INFERENCE_PREDICTION_LOG_BATCH: envInt({ min: 1, max: 100_000 }).default(1_000),
      INFERENCE_PREDICTION_LOG_RETRY_MS: envInt({ min: 10, max: 600_000 }).default(1_000),
      // How long a send waits for more records when fewer than a batch are waiting: fewer, larger produce requests.
      INFERENCE_PREDICTION_LOG_LINGER_MS: envInt({ min: 0, max: 1_000 }).default(5),
      INFERENCE_WAREHOUSE_SINK: envBoolean().default(true),
      INFERENCE_WAREHOUSE_GROUP: z.string().regex(GROUP, { error: 'expected a consumer group id' }).default('kuroshio-inference-predictions-sink'),
      INFERENCE_AUTH: z.enum(AUTH_MODES).default('none'),
      INFERENCE_API_KEY_SHA256: envList(z.string().regex(SHA256, { error: 'expected the lower-case hex SHA-256 of an API key' }), 'key hash').optional(),
      INFERENCE_TLS_CERT_FILE: file(),
      INFERENCE_TLS_KEY_FILE: file(),
      INFERENCE_TLS_CLIENT_CA_FILE: file(),
      // Checked by crossKeyRules; parsed here so that a value other than true/false is reported.
      INFERENCE_INSECURE_API_KEYS_WITHOUT_TLS: envBoolean().default(false),
    });
  return z
    .preprocess((env) => ({ fields: env, rules: env }), z.object({ fields, rules: crossKeyRules }))
    .transform(
      ({ fields: env }): InferenceSettings => ({
        modelRegistryAddress: env.INFERENCE_MODEL_REGISTRY_ADDRESS,
        featureStoreAddress: env.INFERENCE_FEATURE_STORE_ADDRESS,
        experimentAddress: env.INFERENCE_EXPERIMENT_ADDRESS,
        artifact: env.INFERENCE_ARTIFACT,
        backend: env.INFERENCE_TFJS_BACKEND,
        batching: {
          enabled: env.INFERENCE_BATCHING,
          maxBatchSize: env.INFERENCE_MAX_BATCH_SIZE,
          maxQueueDelayMs: env.INFERENCE_MAX_QUEUE_DELAY_MS,
          maxQueuedRows: env.INFERENCE_MAX_QUEUED_ROWS,
          maxConcurrentBatches: env.INFERENCE_MAX_CONCURRENT_BATCHES,
        },
        maxBatchInstances: env.INFERENCE_MAX_BATCH_INSTANCES,
        coldLoadWaitMs: env.INFERENCE_COLD_LOAD_WAIT_MS,
        preload: env.INFERENCE_PRELOAD ?? [],
        features: { cacheTtlMs: env.INFERENCE_FEATURE_CACHE_TTL_MS, cacheMaxEntries: env.INFERENCE_FEATURE_CACHE_MAX_ENTRIES, timeoutMs: env.INFERENCE_FEATURE_TIMEOUT_MS, maxCallsInFlight: env.INFERENCE_FEATURE_MAX_CALLS_IN_FLIGHT },
        registryTimeoutMs: env.INFERENCE_REGISTRY_TIMEOUT_MS,
        experiments: { cacheTtlMs: env.INFERENCE_EXPERIMENT_CACHE_TTL_MS, timeoutMs: env.INFERENCE_EXPERIMENT_TIMEOUT_MS },
        routeChallengers: env.INFERENCE_ROUTE_CHALLENGERS,
        topics: { predictions: env.INFERENCE_PREDICTIONS_TOPIC, exposures: env.INFERENCE_EXPOSURES_TOPIC, aliasChanges: env.INFERENCE_ALIAS_CHANGES_TOPIC },
        aliasChangesGroupPrefix: env.INFERENCE_ALIAS_CHANGES_GROUP_PREFIX,
        predictionLog: { bufferRecords: env.INFERENCE_PREDICTION_LOG_BUFFER, sendBatchRecords: env.INFERENCE_PREDICTION_LOG_BATCH, retryMs: env.INFERENCE_PREDICTION_LOG_RETRY_MS, lingerMs: env.INFERENCE_PREDICTION_LOG_LINGER_MS },
        warehouseSink: { enabled: env.INFERENCE_WAREHOUSE_SINK, groupId: env.INFERENCE_WAREHOUSE_GROUP },
        auth: { mode: env.INFERENCE_AUTH, apiKeySha256: env.INFERENCE_API_KEY_SHA256 ?? [] },
        tls:
          env.INFERENCE_TLS_CERT_FILE !== undefined && env.INFERENCE_TLS_KEY_FILE !== undefined
            ? { certFile: env.INFERENCE_TLS_CERT_FILE, keyFile: env.INFERENCE_TLS_KEY_FILE, clientCaFile: env.INFERENCE_TLS_CLIENT_CA_FILE ?? '' }
            : undefined,
      }),
    );
}
