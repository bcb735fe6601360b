import { TOPIC_LIST, type TopicDefinition } from '@kuroshio/contracts';
import type { TopicSpec } from './topic-spec.js';

export function topicSpecOf(definition: TopicDefinition<unknown, unknown>): TopicSpec {
  return {
    name: definition.name,
    partitions: definition.partitions,
    replicationFactor: definition.replicationFactor,
    minInSyncReplicas: definition.minInSyncReplicas,
    retentionMs: definition.retentionMs,
    cleanupPolicy: definition.cleanupPolicy,
  };
}

/** Every topic of the platform, as listed in @kuroshio/contracts. */
export function contractTopicSpecs(): TopicSpec[] {
  return TOPIC_LIST.map((definition) => topicSpecOf(definition as TopicDefinition<unknown, unknown>));
}
