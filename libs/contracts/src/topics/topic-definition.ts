import type { z } from 'zod';
import { TOPIC_NAME_PATTERN } from '../naming.js';

export type CleanupPolicy = 'delete' | 'compact';

export interface TopicDefinition<TKey, TValue> {
  /** `kuroshio.<area>.<name>.v<n>`; a breaking change to key or value is a new topic. */
  name: string;
  area: string;
  version: number;
  partitions: number;
  /** Replicas in production; a smaller cluster (the local single broker) gets as many as it has. */
  replicationFactor: number;
  /** With acks=all, a write is only as durable as the in-sync set it waited for. */
  minInSyncReplicas: number;
  /** `-1` keeps records forever (compacted topics). */
  retentionMs: number;
  cleanupPolicy: CleanupPolicy;
  key: { description: string; schema: z.ZodType<TKey> };
  value: { description: string; schema: z.ZodType<TValue> };
}

export type TopicSettings<TKey, TValue> = Omit<TopicDefinition<TKey, TValue>, 'area' | 'version'>;

/** Builds a definition, deriving area and version from the name so they cannot disagree. */
export function defineTopic<TKey, TValue>(settings: TopicSettings<TKey, TValue>): TopicDefinition<TKey, TValue> {
  const match = TOPIC_NAME_PATTERN.exec(settings.name);
  if (match === null) {
    throw new Error(`topic name "${settings.name}" does not match kuroshio.<area>.<name>.v<n>`);
  }
  return { ...settings, area: match[1] ?? '', version: Number(match[3]) };
}
