// events.raw as the drill sees it: offsets before and after the run, the ETL group placed at the
// start, and every record of the run's range read back by a throw-away group.
import { Kafka, logLevel } from 'kafkajs';

export class DrillTopics {
  constructor(brokers) {
    this.kafka = new Kafka({ clientId: 'kuroshio-drill', brokers, logLevel: logLevel.NOTHING, retry: { retries: 10 } });
  }

  async withAdmin(use) {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return await use(admin);
    } finally {
      await admin.disconnect();
    }
  }

  /** partition → next offset to be written (decimal string). */
  end(topic) {
    return this.withAdmin(async (admin) => new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.offset])));
  }

  /** A new group's committed offsets, so a `fromBeginning` consumer starts here, not at the topic's first record. */
  position(groupId, topic, offsets) {
    return this.withAdmin((admin) => admin.setOffsets({ groupId, topic, partitions: [...offsets].map(([partition, offset]) => ({ partition, offset })) }));
  }

  committed(groupId, topic) {
    return this.withAdmin(async (admin) => {
      const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return new Map((entry?.partitions ?? []).map((p) => [p.partition, p.offset]));
    });
  }

  /** How many records of [.., end) the group has not committed yet (0 = caught up). */
  async lag(groupId, topic, end) {
    const committed = await this.committed(groupId, topic);
    let lag = 0n;
    for (const [partition, offset] of end) {
      const done = BigInt(committed.get(partition) ?? '-1');
      if (done < BigInt(offset)) lag += BigInt(offset) - (done < 0n ? 0n : done);
    }
    return Number(lag);
  }

  deleteGroups(groupIds) {
    return this.withAdmin((admin) => admin.deleteGroups(groupIds)).catch(() => undefined);
  }

  /** Calls `visit(partition, offset, value)` for every record in [from, to) of each partition. */
  async readRange(topic, from, to, visit, timeoutMs = 120_000) {
    const pending = new Set([...to].filter(([partition, end]) => BigInt(end) > BigInt(from.get(partition) ?? '0')).map(([partition]) => partition));
    if (pending.size === 0) return;
    const groupId = `kuroshio-drill-reader-${Date.now().toString(36)}-${Math.random().toString(16).slice(2, 10)}`;
    await this.position(groupId, topic, from);
    const consumer = this.kafka.consumer({ groupId, maxWaitTimeInMs: 500, maxBytesPerPartition: 8 * 1024 * 1024 });
    let finish;
    const finished = new Promise((resolve) => (finish = resolve));
    let timer;
    const timedOut = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`reading ${topic}: partitions ${[...pending].join(',')} not read to their end within ${timeoutMs} ms`)), timeoutMs);
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: false });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: 4,
        eachBatch: async ({ batch }) => {
          const end = BigInt(to.get(batch.partition) ?? '0');
          for (const message of batch.messages) {
            if (BigInt(message.offset) >= end) break;
            visit(batch.partition, message.offset, message.value);
          }
          if (BigInt(batch.lastOffset()) + 1n >= end) pending.delete(batch.partition);
          if (pending.size === 0) finish();
        },
      });
      await Promise.race([finished, timedOut]);
    } finally {
      clearTimeout(timer);
      await consumer.disconnect();
      await this.deleteGroups([groupId]);
    }
  }
}

/** The run's envelope in a raw record value (a JSON `{envelope, ingest}`), or undefined. */
export function runMessageId(value, tenant) {
  if (value === null || value === undefined) return undefined;
  const text = typeof value === 'string' ? value : value.toString('utf8');
  // Cheap filter first: a busy shared topic holds many other tenants' records.
  if (!text.includes(tenant)) return undefined;
  try {
    const envelope = JSON.parse(text).envelope;
    return envelope?.tenant === tenant ? envelope.messageId : undefined;
  } catch {
    return undefined;
  }
}
