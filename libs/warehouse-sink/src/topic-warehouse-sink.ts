import type { ClickHouseClient } from '@kuroshio/clickhouse';
import { decodeTopicValue, type TopicDefinition } from '@kuroshio/contracts';
import type { ConsumedBatch, ConsumedMessage, KafkaClient, KafkaConsumer } from '@kuroshio/kafka';
import { defineCounter, type StructuredLogger } from '@kuroshio/telemetry';
import { deadLetterRow } from './dead-letter-row.js';

const landed = defineCounter({ name: 'kuroshio_warehouse_sink_rows_total', help: 'Records landed in ClickHouse by a topic sink', labelNames: ['topic', 'table'] });
const refused = defineCounter({
  name: 'kuroshio_warehouse_sink_dead_letters_total',
  help: 'Records a topic sink could not decode, kept in dead_letters',
  labelNames: ['topic'],
});

export interface TopicWarehouseSinkOptions<TValue> {
  readonly topic: TopicDefinition<unknown, TValue>;
  /** The topic to read; the contract name unless a test isolates itself. */
  readonly topicName?: string;
  readonly groupId: string;
  readonly table: string;
  /** The row for one decoded value. Must be deterministic: a replay inserts the same row again. */
  readonly toRow: (value: TValue, message: ConsumedMessage) => Record<string, unknown>;
  readonly kafka: KafkaClient;
  readonly clickhouse: ClickHouseClient;
  readonly logger: StructuredLogger;
  readonly fromBeginning?: boolean;
}

/**
 * Kafka Connect's job for one topic: each batch is decoded, inserted into `table` (bad records into
 * `dead_letters`) and only then committed, so a crash replays instead of losing rows. Replays insert
 * rows again: the target tables are ReplacingMergeTrees keyed by the record's identity.
 */
export class TopicWarehouseSink<TValue> {
  private consumer: KafkaConsumer | undefined;

  constructor(private readonly options: TopicWarehouseSinkOptions<TValue>) {}

  get topicName(): string {
    return this.options.topicName ?? this.options.topic.name;
  }

  async start(): Promise<void> {
    const { kafka, groupId, fromBeginning = true } = this.options;
    this.consumer = kafka.consumer({ groupId, topics: [this.topicName], fromBeginning });
    await this.consumer.start((batch) => this.land(batch));
  }

  /** Readiness: the consumer is running (not crashed and waiting to restart). */
  async check(): Promise<void> {
    if (this.consumer === undefined) throw new Error(`${this.topicName} sink not started`);
    await this.consumer.check();
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }

  /** Exposed for tests: what one batch becomes. */
  async land(batch: ConsumedBatch): Promise<void> {
    const { topic, toRow, clickhouse, table, logger } = this.options;
    const rows: Record<string, unknown>[] = [];
    const deadLetters: Record<string, unknown>[] = [];
    const now = new Date();
    for (const message of batch.messages) {
      const decoded = decodeTopicValue(topic, message.value);
      if (decoded.ok) rows.push(toRow(decoded.value, message));
      else deadLetters.push(deadLetterRow(message, decoded.issues, now));
    }
    if (rows.length > 0) await clickhouse.insert(table, rows);
    if (deadLetters.length > 0) {
      await clickhouse.insert('dead_letters', deadLetters);
      logger.warn({ topic: batch.topic, partition: batch.partition, count: deadLetters.length }, 'records that do not match the topic contract kept in dead_letters');
      refused.inc({ topic: batch.topic }, deadLetters.length);
    }
    landed.inc({ topic: batch.topic, table }, rows.length);
  }
}
