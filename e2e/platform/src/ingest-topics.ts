import { Kafka, logLevel, type Admin } from 'kafkajs';
import { stackEndpoints, uniqueName } from '@kuroshio/testing';

/** Offsets per partition, as decimal strings (Kafka's int64). */
export type PartitionOffsets = Map<number, string>;

export interface TopicRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
}

function kafka(): Kafka {
  return new Kafka({ clientId: 'kuroshio-e2e', brokers: [...stackEndpoints().kafka.brokers], logLevel: logLevel.NOTHING });
}

/** A connected kafkajs admin for `use`, disconnected after. */
export async function withKafkaAdmin<T>(use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

/** The next offset each partition will write: where a reader that wants only new records starts. */
export function topicEnd(topic: string): Promise<PartitionOffsets> {
  return withKafkaAdmin(async (admin) => new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.offset])));
}

/**
 * Commits `offsets` for a group that has never run, so that a service consuming with
 * `fromBeginning` starts there instead of replaying a shared topic's whole history.
 */
export function positionGroup(groupId: string, topic: string, offsets: PartitionOffsets): Promise<void> {
  return withKafkaAdmin((admin) => admin.setOffsets({ groupId, topic, partitions: [...offsets].map(([partition, offset]) => ({ partition, offset })) }));
}

export function deleteGroup(groupId: string): Promise<void> {
  return withKafkaAdmin((admin) => admin.deleteGroups([groupId])).then(() => undefined);
}

/** Every record in [from, to) of each partition, read by a throw-away group. */
export async function readTopicRange(topic: string, from: PartitionOffsets, to: PartitionOffsets, timeoutMs = 60_000): Promise<TopicRecord[]> {
  const pending = new Set([...to].filter(([partition, end]) => BigInt(end) > BigInt(from.get(partition) ?? '0')).map(([partition]) => partition));
  if (pending.size === 0) return [];
  const groupId = uniqueName('e2e-reader');
  await positionGroup(groupId, topic, from);
  const consumer = kafka().consumer({ groupId, maxWaitTimeInMs: 500 });
  const records: TopicRecord[] = [];
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = BigInt(to.get(batch.partition) ?? '0');
        for (const message of batch.messages) {
          if (BigInt(message.offset) >= end) break;
          records.push({ partition: batch.partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value?.toString() ?? null });
        }
        if (BigInt(batch.lastOffset()) + 1n >= end) pending.delete(batch.partition);
        if (pending.size === 0) finish();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`reading ${topic}: partitions ${[...pending].join(',')} not read to their end within ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([finished, timedOut]).finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect();
    await withKafkaAdmin((admin) => admin.deleteGroups([groupId])).catch(() => undefined);
  }
  return records;
}
