import { TOPICS, validateTopicValue } from '@kuroshio/contracts';
import type { OutgoingMessage } from '@kuroshio/kafka';
import { createLogger } from '@kuroshio/telemetry';
import { describe, expect, it } from 'vitest';
import type { AliasChange } from '../domain/registry-change.js';
import { aliasChangeValue, KafkaAliasChangePublisher } from './alias-change-publisher.js';

const logger = createLogger({ service: 'registry-test', level: 'silent' });

function change(seq: number, version: number, previousVersion: number): AliasChange {
  return { seq, eventId: `e${seq}`, timeMs: Date.UTC(2026, 0, 5) + seq, actor: 'bob', reason: 'promote', modelName: 'bad-debt', action: 'alias_set', alias: 'champion', version, previousVersion };
}

class FlakyProducer {
  readonly sent: OutgoingMessage[] = [];
  failures = 0;
  async send(_topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('broker away');
    }
    this.sent.push(...messages);
  }
}

describe('KafkaAliasChangePublisher', () => {
  it('produces contract values keyed model/alias, in enqueue order', async () => {
    const producer = new FlakyProducer();
    const publisher = new KafkaAliasChangePublisher(producer, 'topic', logger, 5);
    const delivered = await Promise.all([publisher.enqueue(change(1, 1, 0)), publisher.enqueue(change(2, 2, 1)), publisher.enqueue(change(3, 3, 2))]);
    expect(delivered).toEqual([true, true, true]);
    expect(producer.sent.map((message) => message.key)).toEqual(['bad-debt/champion', 'bad-debt/champion', 'bad-debt/champion']);
    const values = producer.sent.map((message) => JSON.parse(String(message.value)) as { version: number; previousVersion: number | null });
    expect(values.map((value) => [value.version, value.previousVersion])).toEqual([
      [1, null],
      [2, 1],
      [3, 2],
    ]);
    for (const value of values) expect(validateTopicValue(TOPICS.registryAliasChanges, value).ok).toBe(true);
  });

  it('reports a failed first attempt and keeps retrying, in order, until Kafka takes the changes', async () => {
    const producer = new FlakyProducer();
    producer.failures = 1;
    const publisher = new KafkaAliasChangePublisher(producer, 'topic', logger, 5);
    expect(await publisher.enqueue(change(1, 1, 0))).toBe(false);
    const second = publisher.enqueue(change(2, 2, 1));
    await expect.poll(() => producer.sent.length).toBe(2);
    expect(await second).toBe(true);
    expect(producer.sent.map((message) => (JSON.parse(String(message.value)) as { auditEventId: string }).auditEventId)).toEqual(['e1', 'e2']);
    expect(publisher.pending).toBe(0);
    await publisher.close();
  });

  it('describes a deletion with version null', () => {
    const deleted: AliasChange = { ...change(4, 0, 3), action: 'alias_deleted', previousVersion: 3 } as AliasChange;
    const value = aliasChangeValue(deleted);
    expect(value).toMatchObject({ version: null, previousVersion: 3 });
    expect(validateTopicValue(TOPICS.registryAliasChanges, value).ok).toBe(true);
  });
});
