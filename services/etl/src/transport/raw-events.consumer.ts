import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ClickHouseClient } from '@kuroshio/clickhouse';
import { KafkaClient, type ConsumedBatch, type KafkaConsumer } from '@kuroshio/kafka';
import { ObjectStore } from '@kuroshio/object-store';
import { ReadinessRegistry, SERVICE_CONFIG, SERVICE_LOGGER } from '@kuroshio/service-kit';
import { SpanKind, withSpan, type Logger } from '@kuroshio/telemetry';
import type { EtlConfig } from '../config.js';
import { EVENT_SCHEMA_DIRECTORY } from '../schema-directory.js';
import { RawBatchHandler } from '../raw-batch-handler.js';
import { SinkHealth } from '../sink-health.js';
import { buildEtlPipeline } from '../etl-pipeline.js';

const START_RETRY_MS = 5_000;

/**
 * The thin transport: subscribes to events.raw with the one Kafka wrapper and hands each fetched
 * batch, stripped of Kafka types, to the pipeline. The wrapper commits after the handler returns.
 * Starting does not wait for Kafka, so the service comes up (and says not ready) while it is down.
 */
@Injectable()
export class RawEventsConsumer implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly health = new SinkHealth();
  private consumer: KafkaConsumer | undefined;
  private stopping = false;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: EtlConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly kafka: KafkaClient,
    private readonly clickhouse: ClickHouseClient,
    private readonly objects: ObjectStore,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.readiness.register(this.health);
  }

  async onApplicationBootstrap(): Promise<void> {
    const settings = this.config.etl;
    const pipeline = await buildEtlPipeline({
      settings,
      schemaDirectory: EVENT_SCHEMA_DIRECTORY,
      lakeBucket: this.config.s3.buckets.lake,
      logger: this.logger,
      kafka: this.kafka,
      clickhouse: this.clickhouse,
      objects: this.objects,
    });
    const handler = new RawBatchHandler({ ...pipeline, health: this.health, logger: this.logger, retryDelayMs: settings.sinkRetryDelayMs });
    const consumer = this.kafka.consumer({
      groupId: settings.groupId,
      topics: [settings.topics.raw],
      fromBeginning: true,
      maxBytesPerPartition: settings.maxBytesPerPartition,
      maxBytes: settings.maxBytesPerFetch,
      sessionTimeoutMs: settings.sessionTimeoutMs,
      heartbeatIntervalMs: settings.heartbeatIntervalMs,
      partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
    });
    this.consumer = consumer;
    this.readiness.register(consumer);
    void this.startWhenKafkaAnswers(consumer, pipeline.connect, (batch) => handleInSpan(batch, () => handler.handle(toRawBatch(batch))));
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    // Drain before the ClickHouse and S3 clients close underneath the batch in hand.
    await this.consumer?.disconnect();
  }

  private async startWhenKafkaAnswers(consumer: KafkaConsumer, connect: () => Promise<void>, handle: (batch: ConsumedBatch) => Promise<void>): Promise<void> {
    while (!this.stopping) {
      try {
        await connect();
        await consumer.start(handle);
        this.logger.info({ topic: this.config.etl.topics.raw, groupId: this.config.etl.groupId }, 'consuming');
        return;
      } catch (error) {
        this.logger.warn({ err: error, retryInMs: START_RETRY_MS }, 'could not start consuming events.raw; retrying');
        await new Promise((resolve) => setTimeout(resolve, START_RETRY_MS).unref());
      }
    }
  }
}

/**
 * One consumer span per batch, parented by the first record's trace (the collector request that
 * produced it), so an event's trace runs from the collector through the ETL and its sinks; the sink
 * writes are its children.
 */
function handleInSpan(batch: ConsumedBatch, handle: () => Promise<void>): Promise<void> {
  const first = batch.messages[0];
  const attributes = {
    'messaging.system': 'kafka',
    'messaging.destination.name': batch.topic,
    'messaging.destination.partition.id': String(batch.partition),
    'messaging.batch.message_count': batch.messages.length,
    'messaging.kafka.offset.first': first?.offset ?? '',
    'messaging.kafka.offset.last': batch.messages.at(-1)?.offset ?? '',
  };
  return withSpan(`process ${batch.topic}`, attributes, handle, first?.traceContext, SpanKind.CONSUMER);
}

function toRawBatch(batch: ConsumedBatch) {
  return {
    topic: batch.topic,
    partition: batch.partition,
    records: batch.messages.map(({ topic, partition, offset, key, value, headers, timestamp }) => ({ topic, partition, offset, key, value, headers, timestamp })),
  };
}
