import type { StructuredLogger } from '@kuroshio/telemetry';
import type { Consumer } from 'kafkajs';
import { commitAfterHandling } from './batch-commit.js';
import type { BatchHandler } from './messages.js';

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
  /** Partitions handled in parallel; batches of one partition are always handled in order. */
  partitionsConsumedConcurrently?: number;
}

export const consumerDefaults = {
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 3_000,
  maxWaitTimeMs: 1_000,
} as const;

/**
 * Group consumer with manual commits: each batch is committed after its handler resolves.
 * `disconnect()` drains — the batch in hand is finished and committed before the member leaves.
 */
export class KafkaConsumer {
  private fatalError: Error | undefined;

  constructor(
    private readonly consumer: Consumer,
    private readonly options: ConsumerOptions,
    private readonly logger: StructuredLogger,
  ) {
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) {
        this.fatalError = payload.error;
      }
      const fields = { err: payload.error, groupId: payload.groupId, restart: payload.restart };
      if (payload.restart) {
        logger.warn(fields, 'kafka consumer crashed; kafkajs restarts it');
      } else {
        logger.error(fields, 'kafka consumer crashed and stays stopped');
      }
    });
  }

  get groupId(): string {
    return this.options.groupId;
  }

  /** Readiness name, so a consumer can be registered as a check of its own. */
  get name(): string {
    return `kafka-consumer:${this.options.groupId}`;
  }

  async start(handler: BatchHandler): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.options.topics], fromBeginning: this.options.fromBeginning ?? false });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: commitAfterHandling(handler, {
        heartbeatIntervalMs: this.options.heartbeatIntervalMs ?? consumerDefaults.heartbeatIntervalMs,
        logger: this.logger,
      }),
    });
  }

  /** Fails once the consumer has crashed for good (kafkajs restarts it after retriable errors). */
  async check(): Promise<void> {
    if (this.fatalError) {
      throw new Error(`consumer group ${this.options.groupId} stopped: ${this.fatalError.message}`);
    }
  }

  disconnect(): Promise<void> {
    return this.consumer.disconnect();
  }
}
