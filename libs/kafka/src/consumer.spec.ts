import { createLogger } from '@kuroshio/telemetry';
import type { Consumer } from 'kafkajs';
import { describe, expect, it, vi } from 'vitest';
import { KafkaConsumer } from './consumer.js';

function fakeConsumer() {
  const listeners = new Map<string, (event: unknown) => void>();
  const consumer = {
    events: { CRASH: 'consumer.crash' },
    on: vi.fn((event: string, listener: (event: unknown) => void) => listeners.set(event, listener)),
    connect: vi.fn(async () => undefined),
    subscribe: vi.fn(async () => undefined),
    run: vi.fn(async () => undefined),
    disconnect: vi.fn(async () => undefined),
  };
  const crash = (restart: boolean) => listeners.get('consumer.crash')?.({ payload: { error: new Error('boom'), groupId: 'g', restart } });
  return { consumer, crash };
}

const logger = createLogger({ service: 'test', level: 'silent' });

describe('KafkaConsumer', () => {
  it('subscribes and runs with manual commits', async () => {
    const { consumer } = fakeConsumer();
    await new KafkaConsumer(consumer as unknown as Consumer, { groupId: 'g', topics: ['a', 'b'], fromBeginning: true }, logger).start(async () => undefined);
    expect(consumer.subscribe).toHaveBeenCalledWith({ topics: ['a', 'b'], fromBeginning: true });
    expect(consumer.run).toHaveBeenCalledWith(expect.objectContaining({ autoCommit: false, eachBatchAutoResolve: true, partitionsConsumedConcurrently: 1 }));
  });

  it('stays ready through crashes kafkajs recovers from, and not after one it does not', async () => {
    const { consumer, crash } = fakeConsumer();
    const wrapped = new KafkaConsumer(consumer as unknown as Consumer, { groupId: 'g', topics: ['a'] }, logger);
    expect(wrapped.name).toBe('kafka-consumer:g');
    crash(true);
    await expect(wrapped.check()).resolves.toBeUndefined();
    crash(false);
    await expect(wrapped.check()).rejects.toThrow(/consumer group g stopped: boom/);
  });
});
