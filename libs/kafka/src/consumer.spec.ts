import { createLogger } from '@kuroshio/telemetry';
import type { Consumer, EachBatchPayload } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KafkaConsumer, type ConsumerOptions } from './consumer.js';

interface FakeConsumer {
  connect: ReturnType<typeof vi.fn<() => Promise<void>>>;
  subscribe: ReturnType<typeof vi.fn<(subscription: unknown) => Promise<void>>>;
  run: ReturnType<typeof vi.fn<(config: { eachBatch: (payload: EachBatchPayload) => Promise<void> }) => Promise<void>>>;
  disconnect: ReturnType<typeof vi.fn<() => Promise<void>>>;
  /** Emits kafkajs' crash event the way consumer/index.js does. */
  crash: (restart: boolean, error?: Error) => void;
}

/** kafkajs consumers in creation order. */
function consumerFactory() {
  const created: FakeConsumer[] = [];
  const create = vi.fn(() => {
    const listeners = new Map<string, (event: unknown) => void>();
    const fake = {
      events: { CRASH: 'consumer.crash' },
      on: vi.fn((event: string, listener: (event: unknown) => void) => listeners.set(event, listener)),
      connect: vi.fn(async () => undefined),
      subscribe: vi.fn(async () => undefined),
      run: vi.fn(async () => undefined),
      disconnect: vi.fn(async () => undefined),
      crash: (restart: boolean, error = new Error('boom')) => listeners.get('consumer.crash')?.({ payload: { error, groupId: 'g', restart } }),
    };
    created.push(fake);
    return fake as unknown as Consumer;
  });
  return { create, created };
}

const logger = createLogger({ service: 'test', level: 'silent' });
const options: ConsumerOptions = { groupId: 'g', topics: ['a', 'b'], fromBeginning: true };

describe('KafkaConsumer', () => {
  it('subscribes and runs with manual commits', async () => {
    const { create, created } = consumerFactory();
    await new KafkaConsumer(create, options, logger).start(async () => undefined);
    expect(created[0]?.subscribe).toHaveBeenCalledWith({ topics: ['a', 'b'], fromBeginning: true });
    expect(created[0]?.run).toHaveBeenCalledWith(expect.objectContaining({ autoCommit: false, eachBatchAutoResolve: true, partitionsConsumedConcurrently: 1 }));
  });

  it('stays ready through crashes kafkajs recovers from, and not after one it does not', async () => {
    const { create, created } = consumerFactory();
    const wrapped = new KafkaConsumer(create, options, logger);
    expect(wrapped.name).toBe('kafka-consumer:g');
    await wrapped.start(async () => undefined);
    created[0]?.crash(true);
    await expect(wrapped.check()).resolves.toBeUndefined();
    created[0]?.crash(false);
    await expect(wrapped.check()).rejects.toThrow(/consumer group g stopped: boom/);
    await wrapped.disconnect();
  });
});

describe('KafkaConsumer after a crash kafkajs does not restart', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('replaces the kafkajs consumer after the backoff and runs the same handler on the same group and topics', async () => {
    const { create, created } = consumerFactory();
    const handler = vi.fn(async () => undefined);
    const wrapped = new KafkaConsumer(create, options, logger);
    await wrapped.start(handler);

    created[0]?.crash(false, Object.assign(new Error('group coordinator not found'), { name: 'KafkaJSGroupCoordinatorNotFound' }));
    await expect(wrapped.check()).rejects.toThrow(/group coordinator not found/);
    await vi.advanceTimersByTimeAsync(999);
    expect(created).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);

    expect(created[0]?.disconnect).toHaveBeenCalledOnce();
    expect(created).toHaveLength(2);
    expect(created[1]?.subscribe).toHaveBeenCalledWith({ topics: ['a', 'b'], fromBeginning: true });
    expect(created[1]?.run).toHaveBeenCalledWith(expect.objectContaining({ autoCommit: false }));
    await expect(wrapped.check()).resolves.toBeUndefined();

    // The replacement's batches reach the original handler and are committed after it.
    const eachBatch = created[1]?.run.mock.calls[0]?.[0].eachBatch;
    const commitOffsetsIfNecessary = vi.fn(async () => undefined);
    await eachBatch?.({
      batch: { topic: 'a', partition: 0, highWatermark: '1', messages: [{ offset: '0', key: null, value: Buffer.from('v'), headers: {}, timestamp: '0', attributes: 0 }], lastOffset: () => '0' },
      isStale: () => false,
      heartbeat: async () => undefined,
      resolveOffset: () => undefined,
      commitOffsetsIfNecessary,
    } as unknown as EachBatchPayload);
    expect(handler).toHaveBeenCalledOnce();
    expect(commitOffsetsIfNecessary).toHaveBeenCalledWith({ topics: [{ topic: 'a', partitions: [{ partition: 0, offset: '1' }] }] });

    // A later crash of the replacement is handled the same way.
    created[1]?.crash(false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(created).toHaveLength(3);
    await expect(wrapped.check()).resolves.toBeUndefined();
    await wrapped.disconnect();
  });

  it('backs off exponentially, up to the maximum, while the broker keeps refusing', async () => {
    const { created, create } = consumerFactory();
    const refusing = vi.fn(() => {
      const made = create();
      const fake = created[created.length - 1];
      // Two replacements cannot connect; the third joins but crashes at once (run() still resolves); the fourth runs.
      if (created.length === 2 || created.length === 3) {
        fake?.connect.mockRejectedValue(new Error('connection refused'));
      }
      if (created.length === 4) {
        fake?.run.mockImplementation(async () => fake.crash(false));
      }
      return made;
    });
    const wrapped = new KafkaConsumer(refusing, { ...options, restartInitialDelayMs: 1_000, restartMaxDelayMs: 3_000 }, logger);
    await wrapped.start(async () => undefined);
    created[0]?.crash(false);

    const createdAfter = async (ms: number) => {
      await vi.advanceTimersByTimeAsync(ms);
      return created.length;
    };
    expect(await createdAfter(1_000)).toBe(2);
    expect(await createdAfter(1_999)).toBe(2);
    expect(await createdAfter(1)).toBe(3);
    expect(await createdAfter(2_999)).toBe(3);
    expect(await createdAfter(1)).toBe(4);
    await expect(wrapped.check()).rejects.toThrow(/stopped/);
    expect(await createdAfter(3_000)).toBe(5);
    await expect(wrapped.check()).resolves.toBeUndefined();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(created).toHaveLength(5);
    await wrapped.disconnect();
  });

  it('never restarts once disconnect() was called', async () => {
    const { create, created } = consumerFactory();
    const wrapped = new KafkaConsumer(create, options, logger);
    await wrapped.start(async () => undefined);
    await wrapped.disconnect();
    created[0]?.crash(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(created).toHaveLength(1);
    await expect(wrapped.check()).rejects.toThrow(/stopped/);
  });

  it('stops a pending restart when disconnect() is called during the backoff', async () => {
    const { create, created } = consumerFactory();
    const wrapped = new KafkaConsumer(create, options, logger);
    await wrapped.start(async () => undefined);
    created[0]?.crash(false);
    await vi.advanceTimersByTimeAsync(500);
    await wrapped.disconnect();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(created).toHaveLength(1);
    expect(created[0]?.disconnect).toHaveBeenCalled();
  });

  it('disconnects the replacement when disconnect() is called while it connects', async () => {
    const { created, create } = consumerFactory();
    let connected: () => void = () => undefined;
    const slow = vi.fn(() => {
      const made = create();
      if (created.length === 2) {
        created[1]?.connect.mockImplementation(() => new Promise<void>((resolve) => (connected = resolve)));
      }
      return made;
    });
    const wrapped = new KafkaConsumer(slow, options, logger);
    await wrapped.start(async () => undefined);
    created[0]?.crash(false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(created).toHaveLength(2);
    const disconnected = wrapped.disconnect();
    connected();
    await disconnected;
    expect(created[1]?.subscribe).not.toHaveBeenCalled();
    expect(created[1]?.run).not.toHaveBeenCalled();
    expect(created[1]?.disconnect).toHaveBeenCalled();
  });
});

describe('KafkaConsumer start offsets', () => {
  it('seeks each listed partition once, when the member first joins with it assigned', async () => {
    const listeners = new Map<string, (event: unknown) => void>();
    const seek = vi.fn();
    const fake = {
      events: { CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join' },
      on: vi.fn((event: string, listener: (event: unknown) => void) => listeners.set(event, listener)),
      connect: vi.fn(async () => undefined),
      subscribe: vi.fn(async () => undefined),
      run: vi.fn(async () => undefined),
      disconnect: vi.fn(async () => undefined),
      seek,
    };
    const startOffsets = [
      { topic: 'a', partition: 0, offset: '42' },
      { topic: 'a', partition: 3, offset: '7' },
    ];
    const wrapped = new KafkaConsumer(() => fake as unknown as Consumer, { ...options, startOffsets }, logger);
    await wrapped.start(async () => undefined);
    const join = (memberAssignment: Record<string, number[]>) => listeners.get('consumer.group_join')?.({ payload: { memberAssignment } });
    join({ a: [0, 1], b: [0] });
    expect(seek.mock.calls).toEqual([[{ topic: 'a', partition: 0, offset: '42' }]]);
    join({ a: [0, 1, 3] });
    expect(seek.mock.calls).toEqual([[{ topic: 'a', partition: 0, offset: '42' }], [{ topic: 'a', partition: 3, offset: '7' }]]);
    await wrapped.disconnect();
  });
});
