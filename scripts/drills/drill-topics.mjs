// events.raw as the drill sees it: offsets before and after the run, the ETL group placed at the
// start, and every record of the run's range read back by a throw-away group.
import { KafkaClient } from '@kuroshio/kafka';
import { Kafka, logLevel } from 'kafkajs';

export class DrillTopics {
  /** `settings`: the drill's KafkaSettings (brokers, clientId, TLS, SASL). */
  constructor(settings, logger) {
    this.client = new KafkaClient({ ...settings, logger });
    // The range reader only: a bare consumer that commits nothing, patient across the broker restart.
    this.kafka = new Kafka({ clientId: settings.clientId, brokers: [...settings.brokers], logLevel: logLevel.NOTHING, retry: { retries: 10 } });
  }

  /** partition → next offset to be written (decimal string). */
  async end(topic) {
    return new Map((await this.client.topicOffsets(topic)).map((p) => [p.partition, p.high]));
  }

  /** A new group's committed offsets, so a `fromBeginning` consumer starts here, not at the topic's first record. */
  position(groupId, topic, offsets) {
    return this.client.setGroupOffsets(groupId, topic, [...offsets].map(([partition, offset]) => ({ partition, offset })));
  }

  async committed(groupId, topic) {
    return new Map((await this.client.groupOffsets(groupId, topic)).map((p) => [p.partition, p.offset]));
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
    return this.client.deleteGroups(groupIds).catch(() => undefined);
  }

  disconnect() {
    return this.client.disconnect();
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
