import { TOPIC_LIST } from '@kuroshio/contracts';
import { describe, expect, it } from 'vitest';
import { contractTopicSpecs } from './contract-topics.js';
import { topicLayout, validateTopicSpec } from './topic-spec.js';

describe('contractTopicSpecs', () => {
  it('carries every contract topic with its partitions, replication, retention and cleanup policy', () => {
    const specs = contractTopicSpecs();
    expect(specs.map((spec) => spec.name)).toEqual(TOPIC_LIST.map((topic) => topic.name));
    specs.forEach(validateTopicSpec);
    const aliasChanges = specs.find((spec) => spec.name === 'kuroshio.registry.alias-changes.v1');
    expect(aliasChanges && topicLayout(aliasChanges, 3)).toEqual({
      replicationFactor: 3,
      configs: { 'retention.ms': '-1', 'cleanup.policy': 'compact', 'min.insync.replicas': '2' },
    });
  });
});
