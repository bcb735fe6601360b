import { z } from 'zod';
import { ENVELOPE_LIMITS } from '../envelope/envelope-limits.js';
import { aliasChangeValueSchema } from './alias-change-value.js';
import { cleanEventValueSchema } from './clean-event-value.js';
import { deadLetterValueSchema } from './dead-letter-value.js';
import { exposureValueSchema } from './exposure-value.js';
import { predictionValueSchema } from './prediction-value.js';
import { rawEventValueSchema } from './raw-event-value.js';
import { defineTopic } from './topic-definition.js';

const DAY_MS = 86_400_000;

const customerKey = z.string().min(1).max(ENVELOPE_LIMITS.maxIdLength);

/**
 * Every Kafka topic of the platform. Values are JSON (UTF-8); trace context travels in the
 * W3C `traceparent` header. Changing a key or value incompatibly means a new `.v<n+1>` topic.
 */
export const TOPICS = {
  eventsRaw: defineTopic({
    name: 'kuroshio.events.raw.v1',
    // Room for up to 12 ETL consumers; the customer key keeps each customer's events in order.
    partitions: 12,
    replicationFactor: 3,
    minInSyncReplicas: 2,
    // Long enough to replay a week of ingest into a fixed ETL; the lake keeps raw/ for good.
    retentionMs: 7 * DAY_MS,
    cleanupPolicy: 'delete',
    key: { description: 'customer: userId, else anonymousId (partitionKey)', schema: customerKey },
    value: { description: 'accepted envelope with ingest metadata', schema: rawEventValueSchema },
  }),
  eventsClean: defineTopic({
    name: 'kuroshio.events.clean.v1',
    partitions: 12,
    replicationFactor: 3,
    minInSyncReplicas: 2,
    // The feature store rebuilds online state from its S3 snapshot plus this topic's tail.
    retentionMs: 7 * DAY_MS,
    cleanupPolicy: 'delete',
    key: { description: 'customer: userId, else anonymousId, after tokenisation', schema: customerKey },
    value: { description: 'validated, normalised, PII-tokenised envelope', schema: cleanEventValueSchema },
  }),
  eventsDlq: defineTopic({
    name: 'kuroshio.events.dlq.v1',
    partitions: 3,
    replicationFactor: 3,
    minInSyncReplicas: 2,
    // Bad events wait for a human; a month covers a holiday.
    retentionMs: 30 * DAY_MS,
    cleanupPolicy: 'delete',
    key: { description: 'key of the failed record (customer), null when it had none', schema: customerKey.nullable() },
    value: { description: 'original payload with stage, reason and error code', schema: deadLetterValueSchema },
  }),
  servingPredictions: defineTopic({
    name: 'kuroshio.serving.predictions.v1',
    partitions: 6,
    replicationFactor: 3,
    minInSyncReplicas: 2,
    retentionMs: 7 * DAY_MS,
    cleanupPolicy: 'delete',
    key: { description: 'entity id, else request id', schema: z.string().min(1).max(256) },
    value: { description: 'one served prediction', schema: predictionValueSchema },
  }),
  experimentExposures: defineTopic({
    name: 'kuroshio.experiment.exposures.v1',
    partitions: 6,
    replicationFactor: 3,
    minInSyncReplicas: 2,
    retentionMs: 7 * DAY_MS,
    cleanupPolicy: 'delete',
    key: { description: 'unit id', schema: z.string().min(1).max(256) },
    value: { description: 'a unit experienced its variant', schema: exposureValueSchema },
  }),
  registryAliasChanges: defineTopic({
    name: 'kuroshio.registry.alias-changes.v1',
    // One partition keeps all alias changes in one order; the volume is tiny.
    partitions: 1,
    replicationFactor: 3,
    minInSyncReplicas: 2,
    retentionMs: -1,
    // Compacted: the latest change per model alias is kept forever, so inference can start from it.
    cleanupPolicy: 'compact',
    key: { description: 'model/alias (aliasChangeKey)', schema: z.string().regex(/^[a-z][a-z0-9-]*\/[a-z][a-z0-9-]*$/) },
    value: { description: 'state of the alias after the change', schema: aliasChangeValueSchema },
  }),
};

export type TopicKey = keyof typeof TOPICS;

/** Value type carried by a topic, e.g. `TopicValue<'eventsRaw'>`. */
export type TopicValue<K extends TopicKey> = z.output<(typeof TOPICS)[K]['value']['schema']>;

export const TOPIC_LIST = Object.values(TOPICS);
