import { envInt, envList } from '@kuroshio/config';
import { TOPICS } from '@kuroshio/contracts';
import { z } from 'zod';

export interface RegistrySettings {
  /** Topic for alias changes (overridable so tests run isolated). */
  readonly aliasChangesTopic: string;
  /** Buckets artifact URIs may name; empty: the models bucket (S3_MODELS_BUCKET). */
  readonly artifactBuckets: readonly string[];
  readonly publishRetryMs: number;
  readonly rebuildRetryMs: number;
}

const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** REGISTRY_* variables. */
export function registryConfig() {
  return z
    .object({
      REGISTRY_ALIAS_CHANGES_TOPIC: z.string().regex(TOPIC, { error: 'expected a Kafka topic name' }).default(TOPICS.registryAliasChanges.name),
      REGISTRY_ARTIFACT_BUCKETS: envList(z.string().regex(BUCKET, { error: 'expected an S3 bucket name' }), 'bucket').optional(),
      REGISTRY_PUBLISH_RETRY_MS: envInt({ min: 10, max: 600_000 }).default(2_000),
      REGISTRY_REBUILD_RETRY_MS: envInt({ min: 10, max: 600_000 }).default(2_000),
    })
    .transform(
      (env): RegistrySettings => ({
        aliasChangesTopic: env.REGISTRY_ALIAS_CHANGES_TOPIC,
        artifactBuckets: env.REGISTRY_ARTIFACT_BUCKETS ?? [],
        publishRetryMs: env.REGISTRY_PUBLISH_RETRY_MS,
        rebuildRetryMs: env.REGISTRY_REBUILD_RETRY_MS,
      }),
    );
}
