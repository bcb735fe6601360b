import { context as otelContext, trace, type Context } from '@opentelemetry/api';
import { SpanKind, injectTraceHeaders, withSpan } from '@kuroshio/telemetry';
import type { Producer } from 'kafkajs';
import type { DeliveryReport, OutgoingMessage } from './messages.js';

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

/**
 * Idempotent, acks=all producer. `send` resolves only once every in-sync replica holds the
 * records, which is what lets the collector answer 2xx after a Kafka acknowledgement.
 */
export class KafkaProducer {
  private readonly deliveryTimeoutMs: number;

  constructor(
    private readonly producer: Producer,
    options: ProducerOptions = {},
  ) {
    this.deliveryTimeoutMs = options.deliveryTimeoutMs ?? 30_000;
  }

  connect(): Promise<void> {
    return this.producer.connect();
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
        const acknowledged = this.producer.send({
          topic,
          acks: -1,
          messages: messages.map((message) => ({
            key: message.key ?? null,
            value: message.value,
            partition: message.partition,
            timestamp: message.timestamp,
            headers: injectTraceHeaders({ ...message.headers }, sendContext),
          })),
        });
        const metadata = await this.withinDeliveryTimeout(topic, acknowledged);
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

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  private async withinDeliveryTimeout<T>(topic: string, acknowledged: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new KafkaDeliveryTimeoutError(topic, this.deliveryTimeoutMs)), this.deliveryTimeoutMs);
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
