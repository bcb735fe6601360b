import type { StructuredLogger } from '@kuroshio/telemetry';
import type { Consumer } from 'kafkajs';
import { commitAfterHandling } from './batch-commit.js';
import type { BatchHandler } from './messages.js';
import { settleWithin } from './settle-within.js';

export interface ConsumerOptions {
  groupId: string;
  topics: readonly string[];
  /** Where a group without a committed offset starts: the earliest record, or only new ones. */
  fromBeginning?: boolean;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Upper bound on how long a fetch waits for data; also bounds how long `disconnect()` waits. */
  maxWaitTimeMs?: number;
  maxBytesPerPartition?: number;
  /** Upper bound on one fetch response across partitions (kafkajs' default: 10 MiB). */
  maxBytes?: number;
  /** The broker holds a fetch until this many bytes are ready or `maxWaitTimeMs` passes (default 1). */
  minBytes?: number;
  /** Partitions handled in parallel; batches of one partition are always handled in order. */
  partitionsConsumedConcurrently?: number;
  /** First wait before restarting a consumer kafkajs gave up on (default 1 s); doubles per failed attempt. */
  restartInitialDelayMs?: number;
  /** Longest wait between restart attempts (default 30 s). */
  restartMaxDelayMs?: number;
  /**
   * Where to read from the first time each listed partition is assigned to this consumer, instead
   * of the group's committed offset (e.g. the offsets a restored state snapshot covers). Applied
   * when the member joins, before its first fetch; later assignments resume from committed offsets.
   */
  startOffsets?: readonly PartitionStart[];
}

export interface PartitionStart {
  topic: string;
  partition: number;
  /** The offset of the next record to read. */
  offset: string;
}

export const consumerDefaults = {
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 3_000,
  maxWaitTimeMs: 1_000,
  restartInitialDelayMs: 1_000,
  restartMaxDelayMs: 30_000,
} as const;

/** Bound on disconnecting a crashed consumer before it is replaced; kafkajs already left the group. */
const RETIRE_TIMEOUT_MS = 10_000;

interface Crash {
  consumer: Consumer;
  error: Error;
}

/**
 * Group consumer with manual commits: each batch is committed after its handler resolves.
 * `disconnect()` drains — the batch in hand is finished and committed before the member leaves.
 *
 * kafkajs restarts itself after retriable crashes only. After a non-retriable one (e.g.
 * GroupCoordinatorNotFound while the broker restarts during a join) it stays stopped for good
 * although `run()` resolved; this wrapper then replaces it with a new kafkajs consumer (same group,
 * topics and handler) with exponential backoff, until it runs again or `disconnect()` is called.
 * Offsets are still committed only after the handler, so a restart redelivers, never skips.
 */
export class KafkaConsumer {
  private consumer: Consumer;
  private handler: BatchHandler | undefined;
  private crash: Crash | undefined;
  private restarting: Promise<void> | undefined;
  private wakeFromBackoff: (() => void) | undefined;
  private disconnecting = false;
  private readonly pendingStarts = new Map<string, PartitionStart>();

  constructor(
    private readonly createConsumer: () => Consumer,
    private readonly options: ConsumerOptions,
    private readonly logger: StructuredLogger,
  ) {
    for (const start of options.startOffsets ?? []) this.pendingStarts.set(`${start.topic}:${start.partition}`, start);
    this.consumer = this.watched(createConsumer());
  }

  get groupId(): string {
    return this.options.groupId;
  }

  /** Readiness name, so a consumer can be registered as a check of its own. */
  get name(): string {
    return `kafka-consumer:${this.options.groupId}`;
  }

  async start(handler: BatchHandler): Promise<void> {
    this.handler = handler;
    if (this.restarting) {
      // Already started once and being brought back; the restart runs `handler`.
      return this.restarting;
    }
    await this.run(this.consumer, handler);
  }

  /** Fails while the consumer is stopped after a crash kafkajs does not recover from, until it runs again. */
  async check(): Promise<void> {
    if (this.crash) {
      const state = this.disconnecting ? 'stopped' : 'stopped, restarting';
      throw new Error(`consumer group ${this.options.groupId} stopped: ${this.crash.error.message} (${state})`);
    }
  }

  async disconnect(): Promise<void> {
    this.disconnecting = true;
    this.wakeFromBackoff?.();
    const restarting = this.restarting;
    if (restarting) {
      // Interrupts a connect or join in flight; the restart loop then stops at its next step.
      await this.consumer.disconnect().catch(() => undefined);
      await restarting;
    }
    await this.consumer.disconnect();
  }

  private async run(consumer: Consumer, handler: BatchHandler): Promise<void> {
    await consumer.connect();
    // disconnect() may have come while connecting; joining now would bring the member back.
    if (this.disconnecting) {
      return;
    }
    await consumer.subscribe({ topics: [...this.options.topics], fromBeginning: this.options.fromBeginning ?? false });
    if (this.disconnecting) {
      return;
    }
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: commitAfterHandling(handler, {
        heartbeatIntervalMs: this.options.heartbeatIntervalMs ?? consumerDefaults.heartbeatIntervalMs,
        logger: this.logger,
      }),
    });
  }

  private watched(consumer: Consumer): Consumer {
    if (this.pendingStarts.size > 0) {
      // kafkajs emits GROUP_JOIN after the assignment and before the first fetch, which applies pending seeks.
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
          for (const partition of partitions) {
            const start = this.pendingStarts.get(`${topic}:${partition}`);
            if (!start) continue;
            this.pendingStarts.delete(`${topic}:${partition}`);
            consumer.seek({ topic, partition, offset: start.offset });
          }
        }
      });
    }
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      // A consumer already replaced can still report its own crash; only the current one counts.
      if (consumer !== this.consumer) {
        return;
      }
      const fields = { err: payload.error, groupId: payload.groupId, restart: payload.restart };
      if (payload.restart) {
        this.logger.warn(fields, 'kafka consumer crashed; kafkajs restarts it');
        return;
      }
      this.crash = { consumer, error: payload.error };
      if (this.disconnecting) {
        this.logger.error(fields, 'kafka consumer crashed while disconnecting; it stays stopped');
        return;
      }
      this.logger.error(fields, 'kafka consumer crashed and kafkajs gives up; restarting it');
      // A crash of a replacement during a restart attempt is left to that attempt's loop.
      if (!this.restarting) {
        const restarting = this.restartUntilRunning().finally(() => {
          if (this.restarting === restarting) {
            this.restarting = undefined;
          }
        });
        this.restarting = restarting;
      }
    });
    return consumer;
  }

  private async restartUntilRunning(): Promise<void> {
    const initialDelayMs = this.options.restartInitialDelayMs ?? consumerDefaults.restartInitialDelayMs;
    const maxDelayMs = this.options.restartMaxDelayMs ?? consumerDefaults.restartMaxDelayMs;
    for (let attempt = 0; ; attempt += 1) {
      const delayMs = Math.min(initialDelayMs * 2 ** Math.min(attempt, 30), maxDelayMs);
      await this.backoff(delayMs);
      const handler = this.handler;
      if (this.disconnecting || !handler) {
        return;
      }
      await settleWithin(this.consumer.disconnect(), RETIRE_TIMEOUT_MS);
      if (this.disconnecting) {
        return;
      }
      const replacement = this.watched(this.createConsumer());
      this.consumer = replacement;
      try {
        await this.run(replacement, handler);
      } catch (error) {
        this.logger.warn({ err: error, groupId: this.options.groupId, attempt: attempt + 1 }, 'kafka consumer restart failed; retrying');
        continue;
      }
      // kafkajs' run() resolves even when the first join crashes; that crash names the replacement.
      if (this.crash?.consumer === replacement || this.disconnecting) {
        continue;
      }
      this.crash = undefined;
      // Cleared here, not later, so that the next crash starts a loop of its own.
      this.restarting = undefined;
      this.logger.info({ groupId: this.options.groupId, attempts: attempt + 1 }, 'kafka consumer restarted');
      return;
    }
  }

  private backoff(delayMs: number): Promise<void> {
    if (this.disconnecting) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, delayMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeFromBackoff = done;
    });
  }
}
