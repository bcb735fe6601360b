import { ROOT_CONTEXT, TraceFlags, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { createLogger } from '@kuroshio/telemetry';
import { stackEndpoints, uniqueName, waitFor } from '@kuroshio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaClient, type GroupOffset } from './kafka-client.js';
import type { ConsumedMessage } from './messages.js';

const logger = createLogger({ service: 'kafka-int-test', level: 'warn' });
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const traceContext = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED });

describe('KafkaClient against the local broker', () => {
  const topic = uniqueName('it.kafka', '.');
  const drainTopic = uniqueName('it.kafka.drain', '.');
  const retryTopic = uniqueName('it.kafka.retry', '.');
  const offsetsTopic = uniqueName('it.kafka.offsets', '.');
  const deletedTopic = uniqueName('it.kafka.deleted', '.');
  let client: KafkaClient;

  beforeAll(async () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    client = new KafkaClient({ ...stackEndpoints().kafka, clientId: 'kafka-int-test', logger });
    await client.check();
  });

  afterAll(async () => {
    await client?.deleteTopics([topic, drainTopic, retryTopic, offsetsTopic, deletedTopic]).catch(() => undefined);
    await client?.disconnect();
    propagation.disable();
  });

  it('creates topics idempotently and reports drift instead of changing a topic', async () => {
    const spec = { name: topic, partitions: 3, retentionMs: 3_600_000, cleanupPolicy: 'delete' as const };
    expect(await client.ensureTopics([spec])).toEqual([{ name: topic, status: 'created', replicationFactor: 1, drift: [] }]);
    expect(await client.ensureTopics([spec])).toEqual([{ name: topic, status: 'exists', replicationFactor: 1, drift: [] }]);
    expect(await client.ensureTopics([{ ...spec, partitions: 4, retentionMs: 60_000 }])).toEqual([
      {
        name: topic,
        status: 'exists',
        replicationFactor: 1,
        drift: [
          { setting: 'partitions', expected: '4', actual: '3' },
          { setting: 'retention.ms', expected: '60000', actual: '3600000' },
        ],
      },
    ]);
  });

  it('round-trips records with headers and trace context; a committed group does not re-read them', async () => {
    const groupId = uniqueName('it-group');
    const producer = client.producer();
    await producer.connect();
    const first = Array.from({ length: 12 }, (_, i) => ({
      key: `customer-${i % 4}`,
      value: JSON.stringify({ n: i }),
      headers: { 'content-type': 'application/json', 'x-seq': String(i) },
    }));
    const reports = await producer.send(topic, first, { traceContext });
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.every((report) => report.topic === topic && Number(report.baseOffset) >= 0)).toBe(true);

    const firstRead = await consumeUntil(client, { groupId, topics: [topic], fromBeginning: true }, 12);
    expect(firstRead.map((m) => JSON.parse(String(m.value)).n).sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
    for (const message of firstRead) {
      expect(message.headers['content-type']).toBe('application/json');
      expect(message.headers['x-seq']).toBe(String(JSON.parse(String(message.value)).n));
      expect(message.headers.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
      expect(trace.getSpanContext(message.traceContext)?.traceId).toBe(TRACE_ID);
    }
    // Same key, same partition: the producer partitions like the Java client.
    const partitionsByKey = new Map<string, Set<number>>();
    for (const message of firstRead) {
      const key = String(message.key);
      partitionsByKey.set(key, (partitionsByKey.get(key) ?? new Set()).add(message.partition));
    }
    expect([...partitionsByKey.values()].every((partitions) => partitions.size === 1)).toBe(true);

    await producer.send(topic, [{ key: 'customer-9', value: 'after-commit-1' }, { key: 'customer-8', value: 'after-commit-2' }]);
    const secondRead = await consumeUntil(client, { groupId, topics: [topic], fromBeginning: true }, 2, 3_000);
    expect(secondRead.map((m) => String(m.value)).sort()).toEqual(['after-commit-1', 'after-commit-2']);
    await producer.disconnect();
  });

  it('drains on disconnect: the batch in hand finishes and is committed before the member leaves', async () => {
    await client.ensureTopics([{ name: drainTopic, partitions: 1 }]);
    const groupId = uniqueName('it-drain');
    const producer = client.producer();
    await producer.connect();
    await producer.send(drainTopic, Array.from({ length: 5 }, (_, i) => ({ key: 'k', value: `m${i}` })));

    const consumer = client.consumer({ groupId, topics: [drainTopic], fromBeginning: true });
    let started = false;
    let finished = false;
    await consumer.start(async (batch) => {
      started = true;
      expect(batch.messages).toHaveLength(5);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      finished = true;
    });
    await waitFor(() => started, { timeoutMs: 30_000, description: 'the first batch' });
    await consumer.disconnect();
    expect(finished).toBe(true);

    await producer.send(drainTopic, [{ key: 'k', value: 'after-drain' }]);
    const next = await consumeUntil(client, { groupId, topics: [drainTopic], fromBeginning: true }, 1, 3_000);
    expect(next.map((m) => String(m.value))).toEqual(['after-drain']);
    await producer.disconnect();
  });

  it('delivers a batch again when its handler throws, and commits it once the handler succeeds', async () => {
    await client.ensureTopics([{ name: retryTopic, partitions: 1 }]);
    const groupId = uniqueName('it-retry');
    const producer = client.producer();
    await producer.connect();
    await producer.send(retryTopic, [{ key: 'k', value: 'retry-me' }]);
    const consumer = client.consumer({ groupId, topics: [retryTopic], fromBeginning: true });
    const attempts: string[][] = [];
    await consumer.start(async (batch) => {
      attempts.push(batch.messages.map((m) => String(m.value)));
      if (attempts.length === 1) {
        throw new Error('sink unavailable');
      }
    });
    await waitFor(() => attempts.length >= 2, { timeoutMs: 45_000, description: 'the redelivery' });
    expect(attempts.slice(0, 2)).toEqual([['retry-me'], ['retry-me']]);
    await consumer.disconnect();

    await producer.send(retryTopic, [{ key: 'k', value: 'after-retry' }]);
    const next = await consumeUntil(client, { groupId, topics: [retryTopic], fromBeginning: true }, 1, 3_000);
    expect(next.map((m) => String(m.value))).toEqual(['after-retry']);
    await producer.disconnect();
  });

  it("sets, resets and reads back a group's committed offsets, and deletes the group", async () => {
    await client.ensureTopics([{ name: offsetsTopic, partitions: 2 }]);
    const producer = client.producer();
    await producer.connect();
    await producer.send(offsetsTopic, Array.from({ length: 6 }, (_, i) => ({ value: `m${i}`, partition: i % 2 })));
    await producer.disconnect();
    const groupId = uniqueName('it-offsets');
    const committed = async () => (await client.groupOffsets(groupId, offsetsTopic)).sort((a, b) => a.partition - b.partition);
    const both = (first: string, second: string): GroupOffset[] => [
      { partition: 0, offset: first },
      { partition: 1, offset: second },
    ];

    expect(await committed()).toEqual(both('-1', '-1'));
    await client.setGroupOffsets(groupId, offsetsTopic, both('1', '2'));
    expect(await committed()).toEqual(both('1', '2'));
    await client.resetGroupOffsets(groupId, offsetsTopic, { earliest: false });
    expect(await committed()).toEqual(both('3', '3'));
    await client.resetGroupOffsets(groupId, offsetsTopic, { earliest: true });
    expect(await committed()).toEqual(both('0', '0'));

    await client.deleteGroups([groupId]);
    expect(await committed()).toEqual(both('-1', '-1'));
    await expect(client.deleteGroups([groupId])).rejects.toThrow();
  });

  it('deletes a topic with its records: a topic of the same name starts empty', async () => {
    const spec = { name: deletedTopic, partitions: 1 };
    await client.ensureTopics([spec]);
    const producer = client.producer();
    await producer.connect();
    await producer.send(deletedTopic, [{ value: 'before-delete' }]);
    await producer.disconnect();
    expect(await client.topicOffsets(deletedTopic)).toEqual([{ partition: 0, low: '0', high: '1' }]);

    await client.deleteTopics([deletedTopic]);
    // Deletion completes asynchronously on the brokers; until then the name is still taken.
    await waitFor(async () => (await client.ensureTopics([spec]))[0]?.status === 'created', { timeoutMs: 30_000, description: `${deletedTopic} deleted` });
    expect(await client.topicOffsets(deletedTopic)).toEqual([{ partition: 0, low: '0', high: '0' }]);
  });

  it('fails the readiness check quickly when no broker answers', async () => {
    const unreachable = new KafkaClient({
      brokers: ['127.0.0.1:1'],
      clientId: 'kafka-int-test',
      logger: createLogger({ service: 't', level: 'silent' }),
      checkTimeoutMs: 1_000,
    });
    const started = Date.now();
    await expect(unreachable.check()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5_000);
    await unreachable.disconnect();
  });
});

/**
 * Runs a consumer until it has seen `count` records, then keeps it `settleMs` longer so that any
 * record it should not have seen would show up, and disconnects it.
 */
async function consumeUntil(
  client: KafkaClient,
  options: { groupId: string; topics: string[]; fromBeginning: boolean },
  count: number,
  settleMs = 0,
): Promise<ConsumedMessage[]> {
  const consumer = client.consumer(options);
  const received: ConsumedMessage[] = [];
  await consumer.start(async (batch) => {
    received.push(...batch.messages);
  });
  try {
    await waitFor(() => received.length >= count, { timeoutMs: 45_000, description: `${count} records on ${options.topics.join(',')}` });
    await new Promise((resolve) => setTimeout(resolve, settleMs));
  } finally {
    await consumer.disconnect();
  }
  return received;
}
