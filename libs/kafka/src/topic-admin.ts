import type { Admin, ConfigResourceTypes } from 'kafkajs';
import { topicDrift, topicLayout, validateTopicSpec, type TopicLayout, type TopicReport, type TopicSpec } from './topic-spec.js';

// kafkajs declares this enum in its typings only; it is not exported at runtime.
const TOPIC_RESOURCE = 2 as ConfigResourceTypes;

/**
 * Creates the topics that are missing and reports how existing ones differ from their spec.
 * Safe to run on every start-up and from several processes at once.
 */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<TopicReport[]> {
  specs.forEach(validateTopicSpec);
  const { brokers } = await admin.describeCluster();
  const existing = new Set(await admin.listTopics());
  const reports: TopicReport[] = [];
  for (const spec of specs) {
    const layout = topicLayout(spec, brokers.length);
    const created =
      !existing.has(spec.name) &&
      (await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: spec.name,
            numPartitions: spec.partitions,
            replicationFactor: layout.replicationFactor,
            configEntries: Object.entries(layout.configs).map(([name, value]) => ({ name, value })),
          },
        ],
      }));
    reports.push({
      name: spec.name,
      status: created ? 'created' : 'exists',
      replicationFactor: layout.replicationFactor,
      drift: created ? [] : await describeDrift(admin, spec, layout),
    });
  }
  return reports;
}

async function describeDrift(admin: Admin, spec: TopicSpec, layout: TopicLayout) {
  const configNames = Object.keys(layout.configs);
  const [metadata, actualConfigs] = await Promise.all([
    admin.fetchTopicMetadata({ topics: [spec.name] }),
    configNames.length === 0 ? {} : describeTopicConfigs(admin, spec.name, configNames),
  ]);
  const partitions = metadata.topics.find((t) => t.name === spec.name)?.partitions ?? [];
  return topicDrift(
    { partitions: spec.partitions, replicationFactor: layout.replicationFactor, configs: layout.configs },
    { partitions: partitions.length, replicationFactor: partitions[0]?.replicas.length ?? 0, configs: actualConfigs },
  );
}

async function describeTopicConfigs(admin: Admin, topic: string, configNames: string[]): Promise<Record<string, string>> {
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: TOPIC_RESOURCE, name: topic, configNames }],
  });
  const configs: Record<string, string> = {};
  for (const entry of described.resources[0]?.configEntries ?? []) {
    configs[entry.configName] = entry.configValue;
  }
  return configs;
}
