import { context as otelContext, trace, type Context } from '@opentelemetry/api';
import { SpanKind, injectTraceHeaders, withSpan, type StructuredLogger } from '@kuroshio/telemetry';
import type { Producer, ProducerRecord, RecordMetadata } from 'kafkajs';
import type { DeliveryReport, OutgoingMessage } from './messages.js';
import { needsNewProducerId } from './producer-session-loss.js';
import { settleWithin } from './settle-within.js';

export interface SendOptions {
  /** Trace to continue; defaults to the active context. */
  traceContext?: Context;
}

export interface ProducerOptions {
  /**
   * How long `send` waits for the acknowledgement before it rejects (default 30 s). kafkajs'
   * idempotent producer never stops retrying on its own — capping its retries would break its
   * sequence numbers — so the records may still be written after the rejection; consumers
   * deduplicate (etl by messageId).
   */
  deliveryTimeoutMs?: number;
  /** Bound on disconnecting a producer replaced after it lost its producer id (default 5 s). */
  retireTimeoutMs?: number;
}

export class KafkaDeliveryTimeoutError extends Error {
  constructor(
    readonly topic: string,
    readonly timeoutMs: number,
  ) {
    super(`no acknowledgement from kafka for ${topic} within ${timeoutMs} ms`);
    this.name = 'KafkaDeliveryTimeoutError';
  }
}

/** Internal signal: a queued send's producer was replaced before its turn came. */
const REPLACED_WHILE_QUEUED = Symbol('replaced while queued');

/** One kafkajs producer, i.e. one producer id with its own sequence numbers. */
interface ProducerSession {
  readonly producer: Producer;
  /** Undefined until `connect()` or the first send connects it. */
  connection: Promise<void> | undefined;
  /** A replacement whose connect has not succeeded yet. */
  recovering: boolean;
  /** Settles when the last send handed to this producer has settled in kafkajs. */
  lastSend: Promise<unknown>;
}

/**
 * Idempotent, acks=all producer. `send` resolves only once every in-sync replica holds the
 * records, which is what lets the collector answer 2xx after a Kafka acknowledgement.
 *
 * A service may `connect()` at start (and fail its start without Kafka) or leave it to the first
 * send. Either way a connect that failed is tried again by the next send, so a producer created
 * while Kafka was down starts working once it is back.
 *
 * When the broker rejects the producer's sequence numbers (typically after a broker restart),
 * kafkajs would fail every later send for the life of the process. The failing send is then
 * rejected as usual, and the kafkajs producer is replaced by a new one: a new producer id whose
 * sequences start again at 0. Idempotence holds per producer id; records a caller retries across
 * the swap may land twice and are deduplicated downstream by messageId (decision 0007).
 */
export class KafkaProducer {
  readonly name = 'kafka-producer';
  private readonly deliveryTimeoutMs: number;
  private readonly retireTimeoutMs: number;
  private session: ProducerSession;
  private readonly retiring = new Set<Promise<unknown>>();
  private closed = false;

  constructor(
    private readonly createProducer: () => Producer,
    private readonly logger: StructuredLogger,
    options: ProducerOptions = {},
  ) {
    this.deliveryTimeoutMs = options.deliveryTimeoutMs ?? 30_000;
    this.retireTimeoutMs = options.retireTimeoutMs ?? 5_000;
    this.session = { producer: createProducer(), connection: undefined, recovering: false, lastSend: Promise.resolve() };
  }

  connect(): Promise<void> {
    return this.connectSession(this.session);
  }

  async send(topic: string, messages: readonly OutgoingMessage[], options: SendOptions = {}): Promise<DeliveryReport[]> {
    if (messages.length === 0) {
      return [];
    }
    const attributes = {
      'messaging.system': 'kafka',
      'messaging.destination.name': topic,
      'messaging.batch.message_count': messages.length,
    };
    // Consumers' spans become children of this producer span through the injected traceparent.
    const parent = options.traceContext ?? otelContext.active();
    return withSpan(
      `send ${topic}`,
      attributes,
      async (span) => {
        // Derived from the span itself, not the active context, so it holds without a context manager.
        const sendContext = trace.setSpan(parent, span);
        const record: ProducerRecord = {
          topic,
          acks: -1,
          messages: messages.map((message) => ({
            key: message.key ?? null,
            value: message.value,
            partition: message.partition,
            timestamp: message.timestamp,
            // A record that brings its own trace (the request that produced it) keeps it; the others
            // continue the send span's.
            headers: message.headers?.['traceparent'] === undefined ? injectTraceHeaders({ ...message.headers }, sendContext) : message.headers,
          })),
        };
        const deadline = new AbortController();
        const metadata = await this.withinDeliveryTimeout(topic, this.sendOnCurrentSession(record, deadline.signal), deadline);
        return metadata.map((entry) => ({
          topic: entry.topicName,
          partition: entry.partition,
          baseOffset: entry.baseOffset ?? entry.offset ?? '-1',
        }));
      },
      parent,
      SpanKind.PRODUCER,
    );
  }

  /** Readiness: fails while a replacement producer has not connected yet. */
  async check(): Promise<void> {
    if (this.session.recovering) {
      throw new Error('kafka producer is recovering: its replacement (new producer id) has not connected yet');
    }
  }

  async disconnect(): Promise<void> {
    this.closed = true;
    try {
      await this.session.producer.disconnect();
    } finally {
      await Promise.all(this.retiring);
    }
  }

  private async sendOnCurrentSession(record: ProducerRecord, deadline: AbortSignal): Promise<RecordMetadata[]> {
    for (;;) {
      const session = this.session;
      await this.connected(session);
      // Replaced while this send waited for the connect: never hand records to a discarded producer.
      if (session !== this.session) {
        continue;
      }
      try {
        return await this.afterPreviousSend(session, record, deadline);
      } catch (error) {
        if (error === REPLACED_WHILE_QUEUED) {
          continue;
        }
        if (needsNewProducerId(error)) {
          this.replace(session, error);
        }
        throw error;
      }
    }
  }

  /**
   * One kafkajs send in flight per producer id. When a produce request fails, kafkajs rolls the
   * partition's sequence back for the retry of that same request; a send taking its turn in
   * between reuses those sequence numbers, and the broker then either refuses it
   * (OUT_OF_ORDER_SEQUENCE_NUMBER) or, when the record counts match, takes it for a duplicate of
   * the written request and acknowledges records it never stored.
   */
  private afterPreviousSend(session: ProducerSession, record: ProducerRecord, deadline: AbortSignal): Promise<RecordMetadata[]> {
    const sent = session.lastSend.then(() => {
      // A send whose caller has already been answered must not be written any more.
      if (deadline.aborted) {
        throw deadline.reason;
      }
      // The send before this one cost the producer its id: go to the replacement instead.
      if (session !== this.session) {
        throw REPLACED_WHILE_QUEUED;
      }
      return session.producer.send(record);
    });
    session.lastSend = sent.catch(() => undefined);
    return sent;
  }

  private connectSession(session: ProducerSession): Promise<void> {
    const connection = session.producer.connect();
    session.connection = connection;
    connection.then(
      () => {
        if (session.connection === connection) {
          session.recovering = false;
        }
      },
      () => undefined,
    );
    return connection;
  }

  private async connected(session: ProducerSession): Promise<void> {
    const connection = session.connection ?? this.connectSession(session);
    try {
      await connection;
    } catch {
      // A connect that failed (broker down at start, or a replacement while it was still down) is
      // tried again by the next send instead of failing every send from now on; concurrent sends
      // that saw the same failure share the one new attempt.
      if (session.connection === connection) {
        this.connectSession(session);
      }
      await session.connection;
    }
  }

  private replace(lost: ProducerSession, error: unknown): void {
    // Concurrent sends fail the same way; only the first replaces the producer, once.
    if (this.closed || this.session !== lost) {
      return;
    }
    const replacement: ProducerSession = { producer: this.createProducer(), connection: undefined, recovering: true, lastSend: Promise.resolve() };
    this.session = replacement;
    this.connectSession(replacement).catch(() => undefined);
    this.logger.warn({ err: error }, 'kafka rejected the producer id\'s sequence numbers; replacing the producer (new producer id)');
    const retired = settleWithin(lost.producer.disconnect(), this.retireTimeoutMs);
    this.retiring.add(retired);
    void retired.then(() => this.retiring.delete(retired));
  }

  private async withinDeliveryTimeout<T>(topic: string, acknowledged: Promise<T>, deadline: AbortController): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new KafkaDeliveryTimeoutError(topic, this.deliveryTimeoutMs);
        deadline.abort(error);
        reject(error);
      }, this.deliveryTimeoutMs);
    });
    // A late failure after the timeout already answered must not become an unhandled rejection.
    acknowledged.catch(() => undefined);
    try {
      return await Promise.race([acknowledged, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}
