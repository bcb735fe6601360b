import type { StructuredLogger } from '@kuroshio/telemetry';
// Before kafkajs: whoever imports this file directly still gets the cheaper encoding.
import './kafkajs-encoding.js';
import './kafkajs-partitioning.js';
import './kafkajs-produce-request.js';
import { Kafka, Partitioners, logLevel, type Admin, type Consumer, type Producer, type SASLOptions } from 'kafkajs';
import { KafkaConsumer, consumerDefaults, type ConsumerOptions } from './consumer.js';
import type { KafkaConnectionOptions, KafkaSasl } from './kafka-connection.js';
import { kafkaLogCreator } from './kafka-log-bridge.js';
import { KafkaProducer, type ProducerOptions } from './producer.js';
import { ensureTopics } from './topic-admin.js';
import type { TopicReport, TopicSpec } from './topic-spec.js';

export interface PartitionOffsets {
  partition: number;
  low: string;
  high: string;
}

/** A consumer group's position on one partition: the offset of the next record it reads. */
export interface GroupOffset {
  partition: number;
  offset: string;
}

export interface KafkaClientOptions extends KafkaConnectionOptions {
  logger: StructuredLogger;
  /** Bound on the readiness probe; kafkajs' own retries would otherwise hold it for ~30 s. */
  checkTimeoutMs?: number;
}

/**
 * Entry point to a cluster: builds producers and consumers with the platform's delivery settings,
 * manages topics and answers readiness. `disconnect()` drains consumers before producers so that
 * nothing a handler produces is cut off.
 */
export class KafkaClient {
  readonly name = 'kafka';
  private readonly kafka: Kafka;
  private readonly consumers = new Set<KafkaConsumer>();
  private readonly producers = new Set<KafkaProducer>();
  private adminConnection: { admin: Admin; connected: Promise<Admin> } | undefined;

  constructor(private readonly options: KafkaClientOptions) {
    this.kafka = new Kafka({
      brokers: [...options.brokers],
      clientId: options.clientId,
      ssl: options.ssl,
      sasl: saslOptions(options.sasl),
      connectionTimeout: options.connectionTimeoutMs ?? 3_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      logLevel: logLevel.INFO,
      logCreator: kafkaLogCreator(options.logger),
    });
  }

  producer(options: ProducerOptions = {}): KafkaProducer {
    // A factory, not an instance: the wrapper replaces the producer when its producer id is lost.
    const producer = new KafkaProducer(() => this.idempotentProducer(), this.options.logger, options);
    this.producers.add(producer);
    return producer;
  }

  consumer(options: ConsumerOptions): KafkaConsumer {
    // A factory, not an instance: the wrapper replaces a consumer kafkajs will not restart.
    const consumer = new KafkaConsumer(() => this.groupConsumer(options), options, this.options.logger);
    this.consumers.add(consumer);
    return consumer;
  }

  async ensureTopics(specs: readonly TopicSpec[]): Promise<TopicReport[]> {
    return ensureTopics(await this.admin(), specs);
  }

  /** Each partition's earliest retained offset (`low`) and end offset (`high`, the next to be written). */
  async topicOffsets(topic: string): Promise<PartitionOffsets[]> {
    const offsets = await (await this.admin()).fetchTopicOffsets(topic);
    return offsets.map(({ partition, low, high }) => ({ partition, low, high }));
  }

  /** Deletes `topics` and their records; rejects when one of them does not exist. */
  async deleteTopics(topics: readonly string[]): Promise<void> {
    await (await this.admin()).deleteTopics({ topics: [...topics] });
  }

  /** The offsets `groupId` has committed on each partition of `topic`; `'-1'` where it has committed none. */
  async groupOffsets(groupId: string, topic: string): Promise<GroupOffset[]> {
    const [committed] = await (await this.admin()).fetchOffsets({ groupId, topics: [topic] });
    return (committed?.partitions ?? []).map(({ partition, offset }) => ({ partition, offset }));
  }

  /**
   * Commits `offsets` for `groupId` on `topic`, e.g. so that a new group starts somewhere other than
   * where `fromBeginning` would put it. The group must have no running member.
   */
  async setGroupOffsets(groupId: string, topic: string, offsets: readonly GroupOffset[]): Promise<void> {
    await (await this.admin()).setOffsets({ groupId, topic, partitions: offsets.map(({ partition, offset }) => ({ partition, offset })) });
  }

  /** Commits, for `groupId`, each partition's earliest retained offset (`earliest`) or its end. */
  async resetGroupOffsets(groupId: string, topic: string, { earliest }: { earliest: boolean }): Promise<void> {
    const offsets = await this.topicOffsets(topic);
    await this.setGroupOffsets(groupId, topic, offsets.map(({ partition, low, high }) => ({ partition, offset: earliest ? low : high })));
  }

  /** Removes the groups and their committed offsets; none of them may have a running member. */
  async deleteGroups(groupIds: readonly string[]): Promise<void> {
    await (await this.admin()).deleteGroups([...groupIds]);
  }

  /**
   * Readiness: the cluster answers a metadata request before the timeout or `signal` ends the
   * wait (kafkajs itself would keep retrying for about 30 s).
   */
  async check(signal?: AbortSignal): Promise<void> {
    const timeoutMs = this.options.checkTimeoutMs ?? 3_000;
    const deadline = AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])]);
    const gaveUp = () => new Error(`kafka did not answer within ${timeoutMs} ms`);
    if (deadline.aborted) {
      throw gaveUp();
    }
    const probe = this.admin().then((admin) => admin.describeCluster());
    const abandoned = new Promise<never>((_, reject) => deadline.addEventListener('abort', () => reject(gaveUp()), { once: true }));
    // Whichever loses the race must not surface as an unhandled rejection.
    probe.catch(() => undefined);
    abandoned.catch(() => undefined);
    const { brokers } = await Promise.race([probe, abandoned]);
    if (brokers.length === 0) {
      throw new Error('kafka cluster reports no brokers');
    }
  }

  async disconnect(): Promise<void> {
    await Promise.all([...this.consumers].map((consumer) => consumer.disconnect()));
    await Promise.all([...this.producers].map((producer) => producer.disconnect()));
    const connection = this.adminConnection;
    this.adminConnection = undefined;
    // Not awaiting a connect that may still be retrying against an unreachable cluster.
    await connection?.admin.disconnect().catch(() => undefined);
    this.consumers.clear();
    this.producers.clear();
  }

  private idempotentProducer(): Producer {
    return this.kafka.producer({
      idempotent: true,
      // kafkajs additionally serialises an idempotent producer's requests per broker.
      maxInFlightRequests: 5,
      allowAutoTopicCreation: false,
      // Murmur2 on the key, as the Java client does, so every client agrees on a customer's partition.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  private groupConsumer(options: ConsumerOptions): Consumer {
    return this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? consumerDefaults.sessionTimeoutMs,
      heartbeatInterval: options.heartbeatIntervalMs ?? consumerDefaults.heartbeatIntervalMs,
      maxWaitTimeInMs: options.maxWaitTimeMs ?? consumerDefaults.maxWaitTimeMs,
      maxBytesPerPartition: options.maxBytesPerPartition,
      ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
      ...(options.minBytes === undefined ? {} : { minBytes: options.minBytes }),
      allowAutoTopicCreation: false,
    });
  }

  private admin(): Promise<Admin> {
    if (!this.adminConnection) {
      const admin = this.kafka.admin();
      const connection = { admin, connected: admin.connect().then(() => admin) };
      // A failed connect is retried on the next call rather than cached.
      connection.connected.catch(() => {
        if (this.adminConnection === connection) {
          this.adminConnection = undefined;
        }
      });
      this.adminConnection = connection;
    }
    return this.adminConnection.connected;
  }
}

function saslOptions(sasl: KafkaSasl | undefined): SASLOptions | undefined {
  if (!sasl) {
    return undefined;
  }
  const credentials = { username: sasl.username, password: sasl.password.reveal() };
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', ...credentials };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', ...credentials };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', ...credentials };
  }
}
