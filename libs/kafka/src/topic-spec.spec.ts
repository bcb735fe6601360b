import { describe, expect, it } from 'vitest';
import { topicDrift, topicLayout, validateTopicSpec } from './topic-spec.js';

describe('topicLayout', () => {
  it('maps retention and cleanup policy, letting explicit configs win', () => {
    expect(
      topicLayout({ name: 't', partitions: 3, retentionMs: 604_800_000, cleanupPolicy: 'delete', configs: { 'retention.ms': '1' } }, 1),
    ).toEqual({ replicationFactor: 1, configs: { 'retention.ms': '1', 'cleanup.policy': 'delete' } });
  });

  it.each([
    [1, 1],
    [2, 2],
    [3, 3],
    [9, 3],
  ])('defaults to three replicas, capped by the %i brokers there are → %i', (brokers, replicas) => {
    expect(topicLayout({ name: 't', partitions: 1 }, brokers).replicationFactor).toBe(replicas);
  });

  it('requires two in-sync replicas once there are three, never more than there are replicas', () => {
    expect(topicLayout({ name: 't', partitions: 1 }, 3).configs).toEqual({ 'min.insync.replicas': '2' });
    expect(topicLayout({ name: 't', partitions: 1 }, 2).configs).toEqual({});
    expect(topicLayout({ name: 't', partitions: 1, replicationFactor: 3, minInSyncReplicas: 2 }, 1)).toEqual({
      replicationFactor: 1,
      configs: { 'min.insync.replicas': '1' },
    });
  });
});

describe('topicDrift', () => {
  it('reports partitions, replication and every differing or unset config', () => {
    expect(
      topicDrift(
        { partitions: 6, replicationFactor: 3, configs: { 'cleanup.policy': 'compact', 'retention.ms': '-1', 'min.insync.replicas': '2' } },
        { partitions: 3, replicationFactor: 1, configs: { 'cleanup.policy': 'delete', 'retention.ms': '-1' } },
      ),
    ).toEqual([
      { setting: 'partitions', expected: '6', actual: '3' },
      { setting: 'replication.factor', expected: '3', actual: '1' },
      { setting: 'cleanup.policy', expected: 'compact', actual: 'delete' },
      { setting: 'min.insync.replicas', expected: '2', actual: '(unset)' },
    ]);
  });

  it('is empty when the topic matches', () => {
    const matching = { partitions: 1, replicationFactor: 1 };
    expect(topicDrift({ ...matching, configs: { a: '1' } }, { ...matching, configs: { a: '1', b: '2' } })).toEqual([]);
  });
});

describe('validateTopicSpec', () => {
  it('accepts the platform naming scheme', () => {
    expect(() => validateTopicSpec({ name: 'kuroshio.events.raw.v1', partitions: 12 })).not.toThrow();
  });

  it.each([
    { name: 'has space', partitions: 1 },
    { name: '', partitions: 1 },
    { name: 't', partitions: 0 },
    { name: 't', partitions: 1.5 },
    { name: 't', partitions: 1, replicationFactor: 0 },
    { name: 't', partitions: 1, minInSyncReplicas: -1 },
  ])('rejects %j', (spec) => {
    expect(() => validateTopicSpec(spec)).toThrow();
  });
});
