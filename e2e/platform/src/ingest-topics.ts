import { KafkaClient } from '@kuroshio/kafka';
import { createLogger } from '@kuroshio/telemetry';
import { stackEndpoints, uniqueName } from '@kuroshio/testing';
import { Kafka, logLevel, type Admin } from 'kafkajs';

/** Offsets per partition, as decimal strings (Kafka's int64). */
export type PartitionOffsets = Map<number, string>;

export interface TopicRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
}

const clientId = 'kuroshio-e2e';

/** A KafkaClient on the local stack for `use`, disconnected after. */
export async function withKafka<T>(use: (kafka: KafkaClient) => Promise<T>): Promise<T> {
  const kafka = new KafkaClient({ ...stackEndpoints().kafka, clientId, logger: createLogger({ service: clientId, level: 'silent' }) });
  try {
    return await use(kafka);
  } finally {
    await kafka.disconnect();
  }
}

/** A connected kafkajs admin for `use`, disconnected after. Prefer withKafka; this serves what KafkaClient lacks (listing groups). */
export async function withKafkaAdmin<T>(use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = bareKafka().admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

function bareKafka(): Kafka {
  return new Kafka({ clientId, brokers: [...stackEndpoints().kafka.brokers], logLevel: logLevel.NOTHING });
}

/** The next offset each partition will write: where a reader that wants only new records starts. */
export function topicEnd(topic: string): Promise<PartitionOffsets> {
  return withKafka(async (kafka) => new Map((await kafka.topicOffsets(topic)).map((p) => [p.partition, p.high])));
}

/**
 * Commits `offsets` for a group that has never run, so that a service consuming with
 * `fromBeginning` starts there instead of replaying a shared topic's whole history.
 */
export function positionGroup(groupId: string, topic: string, offsets: PartitionOffsets): Promise<void> {
  return withKafka((kafka) => kafka.setGroupOffsets(groupId, topic, [...offsets].map(([partition, offset]) => ({ partition, offset }))));
}

export function deleteGroup(groupId: string): Promise<void> {
  return withKafka((kafka) => kafka.deleteGroups([groupId]));
}

/** Every record in [from, to) of each partition, read by a throw-away group. */
export async function readTopicRange(topic: string, from: PartitionOffsets, to: PartitionOffsets, timeoutMs = 60_000): Promise<TopicRecord[]> {
  const pending = new Set([...to].filter(([partition, end]) => BigInt(end) > BigInt(from.get(partition) ?? '0')).map(([partition]) => partition));
  if (pending.size === 0) return [];
  const groupId = uniqueName('e2e-reader');
  await positionGroup(groupId, topic, from);
  // A bare kafkajs consumer: it reads a fixed range and commits nothing; the wrapper's group consumer commits every batch.
  const consumer = bareKafka().consumer({ groupId, maxWaitTimeInMs: 500 });
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
    await deleteGroup(groupId).catch(() => undefined);
  }
  return records;
}
