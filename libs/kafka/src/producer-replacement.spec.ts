import { createLogger } from '@kuroshio/telemetry';
import { KafkaJSNonRetriableError, KafkaJSProtocolError, type Producer, type ProducerRecord } from 'kafkajs';
import { describe, expect, it, vi } from 'vitest';
import { KafkaDeliveryTimeoutError, KafkaProducer } from './producer.js';
import { needsNewProducerId } from './producer-session-loss.js';

const logger = createLogger({ service: 'test', level: 'silent' });

/** The error kafkajs 2.2.4 builds from the broker's error code 45 (protocol/error.js). */
function outOfOrderSequence(): KafkaJSProtocolError {
  const brokerError = Object.assign(new Error('The broker received an out of order sequence number'), {
    type: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
    code: 45,
    retriable: false,
  });
  return new KafkaJSProtocolError(brokerError);
}

interface FakeProducer {
  id: number;
  connect: ReturnType<typeof vi.fn<() => Promise<void>>>;
  send: ReturnType<typeof vi.fn<(record: ProducerRecord) => Promise<unknown>>>;
  disconnect: ReturnType<typeof vi.fn<() => Promise<void>>>;
}

/** kafkajs producers in creation order; `behave` decides each one's send. */
function producerFactory(behave: (fake: FakeProducer, record: ProducerRecord) => Promise<unknown>) {
  const created: FakeProducer[] = [];
  const create = vi.fn(() => {
    const fake: FakeProducer = {
      id: created.length,
      connect: vi.fn(async () => undefined),
      send: vi.fn((record: ProducerRecord) => behave(fake, record)),
      disconnect: vi.fn(async () => undefined),
    };
    created.push(fake);
    return fake as unknown as Producer;
  });
  return { create, created };
}

const acknowledged = (topic: string, producerId: number) => [{ topicName: topic, partition: 0, errorCode: 0, baseOffset: String(producerId) }];

describe('KafkaProducer after the broker rejects its producer id', () => {
  it('fails that send, then sends on a new connected producer (new producer id) and retires the old one', async () => {
    const { create, created } = producerFactory(async (fake, record) => {
      if (fake.id === 0) {
        throw outOfOrderSequence();
      }
      return acknowledged(record.topic, fake.id);
    });
    const warn = vi.spyOn(logger, 'warn');
    const producer = new KafkaProducer(create, logger);
    await producer.connect();

    await expect(producer.send('t', [{ value: 'a' }])).rejects.toMatchObject({ type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    expect(created).toHaveLength(2);
    expect(created[0]?.disconnect).toHaveBeenCalledOnce();
    expect(warn).toHaveBeenCalledOnce();

    await expect(producer.send('t', [{ value: 'b' }])).resolves.toEqual([{ topic: 't', partition: 0, baseOffset: '1' }]);
    expect(created[1]?.connect).toHaveBeenCalledOnce();
    // The new producer is connected before it is handed any record.
    expect(created[1]?.connect.mock.invocationCallOrder[0]).toBeLessThan(created[1]?.send.mock.invocationCallOrder[0] ?? 0);
    await expect(producer.check()).resolves.toBeUndefined();
    warn.mockRestore();
  });

  it('hands kafkajs one send at a time, and moves sends queued behind the failing one to the connected replacement', async () => {
    let failInFlight: (error: Error) => void = () => undefined;
    const inFlight = new Promise<never>((_, reject) => {
      failInFlight = reject;
    });
    let connectReplacement: () => void = () => undefined;
    const { create, created } = producerFactory(async (fake, record) => {
      if (fake.id === 0) {
        return inFlight;
      }
      return acknowledged(record.topic, fake.id);
    });
    const producer = new KafkaProducer(() => {
      const made = create();
      if (created.length === 2) {
        created[1]?.connect.mockImplementation(() => new Promise<void>((resolve) => (connectReplacement = resolve)));
      }
      return made;
    }, logger);
    await producer.connect();

    const first = producer.send('t', [{ value: 'a' }]);
    const second = producer.send('t', [{ value: 'b' }]);
    await vi.waitFor(() => expect(created[0]?.send).toHaveBeenCalledOnce());
    await new Promise((resolve) => setTimeout(resolve, 10));
    // kafkajs' rollback after a failed request is only safe if that request's retry is sent next.
    expect(created[0]?.send).toHaveBeenCalledOnce();

    failInFlight(outOfOrderSequence());
    await expect(first).rejects.toThrow(/out of order sequence number/);
    expect(created).toHaveLength(2);
    await expect(producer.check()).rejects.toThrow(/recovering/);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(created[1]?.send).not.toHaveBeenCalled();

    connectReplacement();
    await expect(second).resolves.toEqual([{ topic: 't', partition: 0, baseOffset: '1' }]);
    expect(created[0]?.send).toHaveBeenCalledOnce();
    await expect(producer.check()).resolves.toBeUndefined();
  });

  it('never writes a queued send whose delivery timeout has passed', async () => {
    vi.useFakeTimers();
    try {
      let release: () => void = () => undefined;
      const { create, created } = producerFactory(
        (_fake, record) => new Promise((resolve) => (release = () => resolve(acknowledged(record.topic, 0)))),
      );
      const producer = new KafkaProducer(create, logger, { deliveryTimeoutMs: 1_000 });
      await producer.connect();
      const first = producer.send('t', [{ value: 'a' }]);
      const second = producer.send('t', [{ value: 'b' }]);
      const bothTimedOut = Promise.all([expect(first).rejects.toBeInstanceOf(KafkaDeliveryTimeoutError), expect(second).rejects.toBeInstanceOf(KafkaDeliveryTimeoutError)]);
      await vi.advanceTimersByTimeAsync(1_000);
      await bothTimedOut;
      release();
      await vi.advanceTimersByTimeAsync(0);
      expect(created[0]?.send).toHaveBeenCalledOnce();
    } finally {
      vi.useRealTimers();
    }
  });

  it('tries the replacement connect again on the next send when the broker was still down', async () => {
    const { create, created } = producerFactory(async (fake, record) => {
      if (fake.id === 0) {
        throw outOfOrderSequence();
      }
      return acknowledged(record.topic, fake.id);
    });
    const producer = new KafkaProducer(() => {
      const made = create();
      created[1]?.connect.mockRejectedValueOnce(new Error('connection refused'));
      return made;
    }, logger);
    await producer.connect();

    await expect(producer.send('t', [{ value: 'a' }])).rejects.toThrow(/out of order/);
    await expect(producer.send('t', [{ value: 'b' }])).resolves.toHaveLength(1);
    expect(created[1]?.connect).toHaveBeenCalledTimes(2);
    expect(created).toHaveLength(2);
  });

  it('keeps the producer for errors that a new producer id does not cure', async () => {
    const { create, created } = producerFactory(async () => {
      throw new KafkaJSNonRetriableError('Invalid topic');
    });
    const producer = new KafkaProducer(create, logger);
    await producer.connect();
    await expect(producer.send('t', [{ value: 'a' }])).rejects.toThrow(/Invalid topic/);
    expect(created).toHaveLength(1);
    expect(created[0]?.disconnect).not.toHaveBeenCalled();
  });

  it('does not replace the producer after disconnect()', async () => {
    const { create, created } = producerFactory(async () => {
      throw outOfOrderSequence();
    });
    const producer = new KafkaProducer(create, logger);
    await producer.connect();
    await producer.disconnect();
    await expect(producer.send('t', [{ value: 'a' }])).rejects.toThrow(/out of order/);
    expect(created).toHaveLength(1);
  });

  it('bounds how long a retired producer may take to disconnect', async () => {
    vi.useFakeTimers();
    try {
      const { create, created } = producerFactory(async (fake, record) => {
        if (fake.id === 0) {
          throw outOfOrderSequence();
        }
        return acknowledged(record.topic, fake.id);
      });
      const producer = new KafkaProducer(() => {
        const made = create();
        created[0]?.disconnect.mockImplementation(() => new Promise<never>(() => undefined));
        return made;
      }, logger, { retireTimeoutMs: 1_000 });
      await producer.connect();
      await expect(producer.send('t', [{ value: 'a' }])).rejects.toThrow(/out of order/);
      const disconnected = producer.disconnect();
      await vi.advanceTimersByTimeAsync(1_000);
      await expect(disconnected).resolves.toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('needsNewProducerId', () => {
  it.each(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH'])('recognises %s, also wrapped by the retrier', (type) => {
    const error = new KafkaJSProtocolError(Object.assign(new Error(type), { type, code: 1, retriable: false }));
    expect(needsNewProducerId(error)).toBe(true);
    expect(needsNewProducerId(new KafkaJSNonRetriableError(error))).toBe(false);
    expect(needsNewProducerId(Object.assign(new KafkaJSNonRetriableError(error), { cause: error }))).toBe(true);
  });

  it('leaves other errors alone', () => {
    const leaderMoved = new KafkaJSProtocolError(Object.assign(new Error('x'), { type: 'NOT_LEADER_FOR_PARTITION', code: 6, retriable: true }));
    expect(needsNewProducerId(leaderMoved)).toBe(false);
    expect(needsNewProducerId(new Error('boom'))).toBe(false);
    expect(needsNewProducerId('OUT_OF_ORDER_SEQUENCE_NUMBER')).toBe(false);
  });
});
