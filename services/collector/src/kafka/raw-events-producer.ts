import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { KafkaClient, type KafkaProducer } from '@kuroshio/kafka';
import { ReadinessRegistry, SERVICE_LOGGER } from '@kuroshio/service-kit';
import type { Logger } from '@kuroshio/telemetry';
import type { CollectorSettings } from '../collector-settings.js';
import type { PreparedRecord } from '../ingest/event-preparation.js';
import type { EventSink } from '../ingest/event-sink.js';
import { COLLECTOR_SETTINGS } from '../collector-tokens.js';
import { CollectorMetrics } from '../metrics/collector-metrics.js';
import { CoalescingEventSink } from './coalescing-event-sink.js';

const RECONNECT_DELAY_MS = 2_000;

/**
 * The collector's producer to events.raw, through the platform's one Kafka wrapper (idempotent,
 * acks=all). The service starts without Kafka (readiness says so); until the producer connects,
 * publishes wait and then time out into 503s, so nothing is ever acknowledged that Kafka lacks.
 */
@Injectable()
export class RawEventsProducer implements EventSink, OnModuleInit, OnModuleDestroy {
  readonly #producer: KafkaProducer;
  readonly #sink: CoalescingEventSink;
  #connected: Promise<void> | undefined;
  #stopped = false;
  readonly #topic: string;

  constructor(
    kafka: KafkaClient,
    @Inject(COLLECTOR_SETTINGS) settings: CollectorSettings,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    metrics: CollectorMetrics,
    private readonly readiness: ReadinessRegistry,
  ) {
    this.#topic = settings.kafka.rawTopic;
    this.#producer = kafka.producer({ deliveryTimeoutMs: settings.kafka.deliveryTimeoutMs });
    this.#sink = new CoalescingEventSink((records) => this.#send(records), {
      lingerMs: settings.kafka.lingerMs,
      maxBatchEvents: settings.kafka.maxBatchEvents,
      maxBatchBytes: settings.kafka.maxBatchBytes,
      deliveryTimeoutMs: settings.kafka.deliveryTimeoutMs,
      onSend: (outcome) => metrics.kafkaSend(outcome),
    });
  }

  onModuleInit(): void {
    // Not ready while the producer is being replaced after a lost producer session (libs/kafka).
    this.readiness.register(this.#producer);
    this.#connected = this.#connectUntilStopped();
    this.#connected.catch(() => undefined);
  }

  onModuleDestroy(): void {
    this.#stopped = true;
  }

  publish(records: readonly PreparedRecord[]): Promise<void> {
    return this.#sink.publish(records);
  }

  async #send(records: readonly PreparedRecord[]): Promise<void> {
    await (this.#connected ?? this.#connectUntilStopped());
    // A PreparedRecord is already an OutgoingMessage (key, value); the wrapper copies what it sends.
    await this.#producer.send(this.#topic, records);
  }

  async #connectUntilStopped(): Promise<void> {
    for (;;) {
      try {
        await this.#producer.connect();
        this.logger.info({ topic: this.#topic }, 'kafka producer connected');
        return;
      } catch (error) {
        if (this.#stopped) throw error;
        this.logger.warn({ err: error }, 'kafka producer cannot connect yet; requests get 503 until it does');
        await new Promise((resolve) => setTimeout(resolve, RECONNECT_DELAY_MS).unref());
      }
    }
  }
}
