import type { Admin } from 'kafkajs';
import { describe, expect, it, vi } from 'vitest';
import { ensureTopics } from './topic-admin.js';

function fakeAdmin(existing: Record<string, { partitions: number; configs: Record<string, string> }>) {
  const admin = {
    describeCluster: vi.fn(async () => ({ brokers: [{ nodeId: 1, host: 'b', port: 9092 }], controller: 1, clusterId: 'c' })),
    listTopics: vi.fn(async () => Object.keys(existing)),
    createTopics: vi.fn(async () => true),
    fetchTopicMetadata: vi.fn(async ({ topics }: { topics: string[] }) => ({
      topics: topics.map((name) => ({ name, partitions: Array.from({ length: existing[name]?.partitions ?? 0 }, () => ({ replicas: [1] })) })),
    })),
    describeConfigs: vi.fn(async ({ resources }: { resources: { name: string; configNames: string[] }[] }) => ({
      resources: resources.map((resource) => ({
        resourceName: resource.name,
        configEntries: resource.configNames
          .filter((configName) => existing[resource.name]?.configs[configName] !== undefined)
          .map((configName) => ({ configName, configValue: existing[resource.name]?.configs[configName] })),
      })),
    })),
  };
  return admin;
}

describe('ensureTopics', () => {
  it('creates missing topics with their configs and reports drift on existing ones', async () => {
    const admin = fakeAdmin({ 'kuroshio.events.raw.v1': { partitions: 3, configs: { 'retention.ms': '1000' } } });
    const reports = await ensureTopics(admin as unknown as Admin, [
      { name: 'kuroshio.events.raw.v1', partitions: 6, retentionMs: 1000 },
      { name: 'kuroshio.registry.alias-changes.v1', partitions: 1, cleanupPolicy: 'compact', retentionMs: -1 },
    ]);
    expect(reports).toEqual([
      { name: 'kuroshio.events.raw.v1', status: 'exists', replicationFactor: 1, drift: [{ setting: 'partitions', expected: '6', actual: '3' }] },
      { name: 'kuroshio.registry.alias-changes.v1', status: 'created', replicationFactor: 1, drift: [] },
    ]);
    expect(admin.createTopics).toHaveBeenCalledTimes(1);
    expect(admin.createTopics).toHaveBeenCalledWith({
      waitForLeaders: true,
      topics: [
        {
          topic: 'kuroshio.registry.alias-changes.v1',
          numPartitions: 1,
          replicationFactor: 1,
          configEntries: [
            { name: 'retention.ms', value: '-1' },
            { name: 'cleanup.policy', value: 'compact' },
          ],
        },
      ],
    });
  });

  it('reports "exists" when another process created the topic first', async () => {
    const admin = fakeAdmin({});
    admin.createTopics.mockResolvedValue(false);
    const [report] = await ensureTopics(admin as unknown as Admin, [{ name: 't', partitions: 1 }]);
    expect(report?.status).toBe('exists');
  });

  it('validates every spec before touching the cluster', async () => {
    const admin = fakeAdmin({});
    await expect(ensureTopics(admin as unknown as Admin, [{ name: 'ok', partitions: 1 }, { name: 'bad name', partitions: 1 }])).rejects.toThrow(
      /legal Kafka topic name/,
    );
    expect(admin.describeCluster).not.toHaveBeenCalled();
  });
});
