import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { aliasChangeKey, decodeTopicValue, TOPICS, type AliasChangeValue } from '@kuroshio/contracts';
import type { ConsumedBatch, KafkaClient, KafkaConsumer } from '@kuroshio/kafka';
import type { StructuredLogger } from '@kuroshio/telemetry';

export interface AliasChangeTarget {
  aliasChanged(modelName: string, alias: string, version: number | null): Promise<void>;
}

/**
 * Follows the compacted alias-changes topic from its beginning, in a consumer group of this process
 * alone (prefix + host + random suffix): every instance sees every change, and a restarted one
 * re-reads the current state of each alias instead of resuming from a committed offset.
 */
export class AliasChangeListener {
  readonly name = 'alias-changes';
  readonly groupId: string;
  #consumer: KafkaConsumer | undefined;
  #stopped = false;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly topic: string,
    groupPrefix: string,
    private readonly target: AliasChangeTarget,
    private readonly logger: StructuredLogger,
  ) {
    this.groupId = `${groupPrefix}-${hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 60)}-${randomUUID().slice(0, 8)}`;
  }

  /** Starts in the background, retrying while Kafka cannot be reached. */
  start(retryMs = 2_000): void {
    const attempt = async (): Promise<void> => {
      if (this.#stopped) return;
      this.#consumer = this.kafka.consumer({ groupId: this.groupId, topics: [this.topic], fromBeginning: true, maxWaitTimeMs: 500 });
      try {
        await this.#consumer.start((batch) => this.#apply(batch));
        this.logger.info({ topic: this.topic, groupId: this.groupId }, 'following alias changes');
      } catch (error) {
        this.logger.warn({ err: error, topic: this.topic, retryInMs: retryMs }, 'alias-changes consumer did not start; retrying');
        await this.#consumer.disconnect().catch(() => undefined);
        setTimeout(() => void attempt(), retryMs).unref();
      }
    };
    void attempt();
  }

  async check(): Promise<void> {
    if (this.#consumer === undefined) throw new Error('alias-changes consumer not started');
    await this.#consumer.check();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#consumer?.disconnect().catch(() => undefined);
  }

  async #apply(batch: ConsumedBatch): Promise<void> {
    const changes: AliasChangeValue[] = [];
    for (const message of batch.messages) {
      const decoded = decodeTopicValue(TOPICS.registryAliasChanges, message.value);
      if (!decoded.ok) {
        this.logger.warn({ topic: batch.topic, offset: message.offset, issues: decoded.issues }, 'alias change that breaks the contract ignored');
        continue;
      }
      changes.push(decoded.value);
    }
    // In order, one at a time per model: a promotion (champion = the challenger's version, then
    // the challenger deleted) must not let go of a version before the next alias holds it. Models
    // are independent, so one model's slow load does not hold back another's changes.
    const byModel = new Map<string, AliasChangeValue[]>();
    for (const change of latestPerAlias(changes)) byModel.set(change.modelName, [...(byModel.get(change.modelName) ?? []), change]);
    await Promise.all(
      [...byModel.values()].map(async (modelChanges) => {
        for (const change of modelChanges) await this.target.aliasChanged(change.modelName, change.alias, change.version);
      }),
    );
  }
}

/** The topic is state, not events: of several changes to one alias only the last counts; order otherwise kept. */
function latestPerAlias(changes: readonly AliasChangeValue[]): AliasChangeValue[] {
  const last = new Map<string, number>();
  changes.forEach((change, at) => last.set(aliasChangeKey(change.modelName, change.alias), at));
  return changes.filter((change, at) => last.get(aliasChangeKey(change.modelName, change.alias)) === at);
}
