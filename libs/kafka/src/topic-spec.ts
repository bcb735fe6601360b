export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';

/** The desired shape of one topic; the contracts' topic list maps onto this. */
export interface TopicSpec {
  name: string;
  partitions: number;
  /** Replicas in production (default 3); a cluster with fewer brokers gets as many as it has. */
  replicationFactor?: number;
  /** Default 2 once there are three replicas; never more than the replicas there are. */
  minInSyncReplicas?: number;
  /** `-1` keeps records forever (retention by compaction only). */
  retentionMs?: number;
  cleanupPolicy?: CleanupPolicy;
  /** Further topic-level settings, e.g. `{ 'min.compaction.lag.ms': '60000' }`. */
  configs?: Record<string, string>;
}

export interface TopicDrift {
  setting: string;
  expected: string;
  actual: string;
}

export interface TopicReport {
  name: string;
  status: 'created' | 'exists';
  /** The replication factor the topic was (or would be) created with on this cluster. */
  replicationFactor: number;
  /** Differences between an existing topic and its spec; never corrected automatically. */
  drift: TopicDrift[];
}

export interface TopicLayout {
  replicationFactor: number;
  configs: Record<string, string>;
}

const DEFAULT_REPLICATION_FACTOR = 3;

/** Replication and topic configs for `spec` on a cluster of `brokerCount` brokers. */
export function topicLayout(spec: TopicSpec, brokerCount: number): TopicLayout {
  const replicationFactor = Math.max(1, Math.min(spec.replicationFactor ?? DEFAULT_REPLICATION_FACTOR, brokerCount));
  // With acks=all, a record is only as durable as the in-sync set it waited for; but asking for
  // more in-sync replicas than exist would refuse every write.
  const minInSync = spec.minInSyncReplicas ?? (replicationFactor >= 3 ? 2 : undefined);
  const configs: Record<string, string> = {};
  if (spec.retentionMs !== undefined) {
    configs['retention.ms'] = String(spec.retentionMs);
  }
  if (spec.cleanupPolicy !== undefined) {
    configs['cleanup.policy'] = spec.cleanupPolicy;
  }
  if (minInSync !== undefined) {
    configs['min.insync.replicas'] = String(Math.min(minInSync, replicationFactor));
  }
  return { replicationFactor, configs: { ...configs, ...spec.configs } };
}

export function topicDrift(
  expected: { partitions: number; replicationFactor: number; configs: Record<string, string> },
  actual: { partitions: number; replicationFactor: number; configs: Record<string, string | undefined> },
): TopicDrift[] {
  const drift: TopicDrift[] = [];
  if (expected.partitions !== actual.partitions) {
    drift.push({ setting: 'partitions', expected: String(expected.partitions), actual: String(actual.partitions) });
  }
  if (expected.replicationFactor !== actual.replicationFactor) {
    drift.push({ setting: 'replication.factor', expected: String(expected.replicationFactor), actual: String(actual.replicationFactor) });
  }
  for (const [setting, value] of Object.entries(expected.configs)) {
    const current = actual.configs[setting];
    if (current !== value) {
      drift.push({ setting, expected: value, actual: current ?? '(unset)' });
    }
  }
  return drift;
}

export function validateTopicSpec(spec: TopicSpec): void {
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(spec.name)) {
    throw new Error(`topic name "${spec.name}" is not a legal Kafka topic name`);
  }
  for (const [field, value] of [
    ['partitions', spec.partitions],
    ['replicationFactor', spec.replicationFactor],
    ['minInSyncReplicas', spec.minInSyncReplicas],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new Error(`topic ${spec.name}: ${field} must be a positive integer`);
    }
  }
}
