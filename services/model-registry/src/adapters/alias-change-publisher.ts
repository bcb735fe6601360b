import { aliasChangeKey, encodeTopicValue, TOPICS, type AliasChangeValue } from '@kuroshio/contracts';
import type { OutgoingMessage } from '@kuroshio/kafka';
import type { StructuredLogger } from '@kuroshio/telemetry';
import type { AliasChange } from '../domain/registry-change.js';
import type { AliasChangeSink } from '../domain/registry-ports.js';

/** The part of the Kafka producer the publisher needs (KafkaProducer satisfies it). */
export interface AliasChangeProducer {
  send(topic: string, messages: readonly OutgoingMessage[]): Promise<unknown>;
}

interface Pending {
  readonly message: OutgoingMessage;
  settle: ((delivered: boolean) => void) | undefined;
}

const MAX_PER_SEND = 100;

/** The record value of an alias change (registry.alias-changes contract). */
export function aliasChangeValue(change: AliasChange): AliasChangeValue {
  return {
    modelName: change.modelName,
    alias: change.alias,
    version: change.action === 'alias_set' ? change.version : null,
    previousVersion: change.previousVersion === 0 ? null : change.previousVersion,
    changedAt: new Date(change.timeMs).toISOString(),
    changedBy: change.actor,
    reason: change.reason,
    auditEventId: change.eventId,
  };
}

/**
 * Publishes alias changes in the order they were enqueued, one send at a time (the topic has one
 * partition, so Kafka keeps that order). A failed send is retried, with what queued up behind it,
 * until it goes through or the publisher closes; what is still queued then is republished from the
 * log at the next start-up, which is harmless on a compacted topic of "state after the change".
 */
export class KafkaAliasChangePublisher implements AliasChangeSink {
  readonly name = 'alias-change-publisher';
  readonly #pending: Pending[] = [];
  #draining: Promise<void> | undefined;
  #closed = false;
  readonly #wake = new AbortController();

  constructor(
    private readonly producer: AliasChangeProducer,
    private readonly topic: string,
    private readonly logger: StructuredLogger,
    private readonly retryDelayMs = 2_000,
  ) {}

  get pending(): number {
    return this.#pending.length;
  }

  enqueue(change: AliasChange): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.#pending.push({
        message: {
          key: aliasChangeKey(change.modelName, change.alias),
          value: encodeTopicValue(TOPICS.registryAliasChanges, aliasChangeValue(change)),
          headers: { 'content-type': 'application/json' },
        },
        settle: resolve,
      });
      this.#kick();
    });
  }

  /** Stops retrying; resolves once a send in flight has settled. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#wake.abort();
    await this.#draining;
    for (const item of this.#pending.splice(0)) item.settle?.(false);
  }

  #kick(): void {
    if (this.#draining !== undefined || this.#closed) return;
    this.#draining = this.#drain().finally(() => {
      this.#draining = undefined;
      if (this.#pending.length > 0) this.#kick();
    });
  }

  async #drain(): Promise<void> {
    while (this.#pending.length > 0 && !this.#closed) {
      const batch = this.#pending.slice(0, MAX_PER_SEND);
      try {
        await this.producer.send(this.topic, batch.map((item) => item.message));
        this.#pending.splice(0, batch.length);
        for (const item of batch) item.settle?.(true);
      } catch (error) {
        this.logger.warn({ err: error, topic: this.topic, pending: this.#pending.length, retryInMs: this.retryDelayMs }, 'alias changes not published yet; retrying');
        for (const item of batch) {
          item.settle?.(false);
          item.settle = undefined;
        }
        await sleep(this.retryDelayMs, this.#wake.signal);
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
