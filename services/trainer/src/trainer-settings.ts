import { envHostPort, envInt } from '@kuroshio/config';
import { z } from 'zod';
import { BACKEND_PREFERENCE, type BackendChoice } from '@kuroshio/model-runtime';

export interface TrainerSettings {
  /** gRPC address of the feature store (ExportTrainingSet). */
  readonly featureStoreAddress: string;
  /** gRPC address of the model registry. */
  readonly modelRegistryAddress: string;
  /** Jobs trained at the same time. */
  readonly concurrency: number;
  /** `auto`: the best backend that loads; otherwise only the named one. */
  readonly backend: 'auto' | BackendChoice;
  /** Recorded as lineage code_version; empty: the git commit if the checkout has one, else the package version. */
  readonly codeVersion: string;
  readonly exportPollIntervalMs: number;
  readonly exportTimeoutMs: number;
  /** Deadline of each call to the feature store and the registry. */
  readonly rpcDeadlineMs: number;
}

/** TRAINER_* variables (see services/trainer/README.md). */
export function trainerSettingsConfig() {
  return z
    .object({
      TRAINER_FEATURE_STORE_ADDRESS: envHostPort().default('127.0.0.1:7103'),
      TRAINER_MODEL_REGISTRY_ADDRESS: envHostPort().default('127.0.0.1:7105'),
      TRAINER_CONCURRENCY: envInt({ min: 1, max: 16 }).default(1),
      TRAINER_TFJS_BACKEND: z.enum(['auto', ...BACKEND_PREFERENCE]).default('auto'),
      TRAINER_CODE_VERSION: z.string().max(128).default(''),
      TRAINER_EXPORT_POLL_INTERVAL_MS: envInt({ min: 50, max: 60_000 }).default(1_000),
      TRAINER_EXPORT_TIMEOUT_MS: envInt({ min: 1_000, max: 24 * 3_600_000 }).default(30 * 60_000),
      TRAINER_RPC_DEADLINE_MS: envInt({ min: 100, max: 600_000 }).default(30_000),
    })
    .transform(
      (env): TrainerSettings => ({
        featureStoreAddress: env.TRAINER_FEATURE_STORE_ADDRESS,
        modelRegistryAddress: env.TRAINER_MODEL_REGISTRY_ADDRESS,
        concurrency: env.TRAINER_CONCURRENCY,
        backend: env.TRAINER_TFJS_BACKEND,
        codeVersion: env.TRAINER_CODE_VERSION,
        exportPollIntervalMs: env.TRAINER_EXPORT_POLL_INTERVAL_MS,
        exportTimeoutMs: env.TRAINER_EXPORT_TIMEOUT_MS,
        rpcDeadlineMs: env.TRAINER_RPC_DEADLINE_MS,
      }),
    );
}
