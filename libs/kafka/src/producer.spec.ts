import { ROOT_CONTEXT, TraceFlags, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { createLogger } from '@kuroshio/telemetry';
import type { Producer, ProducerRecord } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KafkaDeliveryTimeoutError, KafkaProducer } from './producer.js';

function fakeProducer() {
  const send = vi.fn(async (record: ProducerRecord) => [
    { topicName: record.topic, partition: 0, errorCode: 0, baseOffset: '41' },
  ]);
  const connect = vi.fn(async () => undefined);
  return { producer: { send, connect } as unknown as Producer, send, connect };
}

const logger = createLogger({ service: 'test', level: 'silent' });

describe('KafkaProducer.send', () => {
  beforeAll(() => propagation.setGlobalPropagator(new W3CTraceContextPropagator()));
  afterAll(() => propagation.disable());

  const traceContext = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: TraceFlags.SAMPLED,
  });

  it('waits for all in-sync replicas and adds traceparent without mutating the caller headers', async () => {
    const { producer, send } = fakeProducer();
    const headers = { 'content-type': 'application/json' };
    const reports = await new KafkaProducer(() => producer, logger).send('t', [{ key: 'u1', value: '{}', headers }], { traceContext });
    const record = send.mock.calls[0]?.[0];
    expect(record?.acks).toBe(-1);
    expect(record?.messages[0]?.headers).toEqual({
      'content-type': 'application/json',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    expect(headers).toEqual({ 'content-type': 'application/json' });
    expect(reports).toEqual([{ topic: 't', partition: 0, baseOffset: '41' }]);
  });

  it("keeps a record's own traceparent (the request that produced it) and adds the send's to the others", async () => {
    const { producer, send } = fakeProducer();
    const own = '00-11111111111111111111111111111111-2222222222222222-01';
    await new KafkaProducer(() => producer, logger).send('t', [{ value: 'a', headers: { traceparent: own } }, { value: 'b' }], { traceContext });
    const [first, second] = send.mock.calls[0]?.[0]?.messages ?? [];
    expect(first?.headers).toEqual({ traceparent: own });
    expect(second?.headers).toEqual({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
  });

  it('rejects when no acknowledgement arrives within the delivery timeout', async () => {
    vi.useFakeTimers();
    try {
      const send = vi.fn(() => new Promise<never>(() => undefined));
      const producer = new KafkaProducer(() => ({ send, connect: async () => undefined }) as unknown as Producer, logger, { deliveryTimeoutMs: 5_000 });
      const result = producer.send('t', [{ value: 'x' }]);
      const assertion = expect(result).rejects.toBeInstanceOf(KafkaDeliveryTimeoutError);
      await vi.advanceTimersByTimeAsync(5_000);
      await assertion;
    } finally {
      vi.useRealTimers();
    }
  });

  it('connects on the first send when nobody connected it, once for concurrent sends', async () => {
    const { producer, send, connect } = fakeProducer();
    const kafka = new KafkaProducer(() => producer, logger);
    await Promise.all([kafka.send('t', [{ value: 'a' }]), kafka.send('t', [{ value: 'b' }])]);
    await kafka.send('t', [{ value: 'c' }]);
    expect(connect).toHaveBeenCalledOnce();
    expect(connect.mock.invocationCallOrder[0]).toBeLessThan(send.mock.invocationCallOrder[0] ?? 0);
    expect(send).toHaveBeenCalledTimes(3);
  });

  it('tries a connect that failed again on the next send, and sends nothing on the unconnected producer', async () => {
    const { producer, send, connect } = fakeProducer();
    connect.mockRejectedValueOnce(new Error('connection refused')).mockRejectedValueOnce(new Error('connection refused'));
    const kafka = new KafkaProducer(() => producer, logger);
    await expect(kafka.connect()).rejects.toThrow('connection refused');
    // The send tries once more (second refusal) and fails without handing kafkajs the records.
    await expect(kafka.send('t', [{ value: 'a' }])).rejects.toThrow('connection refused');
    expect(send).not.toHaveBeenCalled();
    // Kafka is back: the next send connects and is written.
    await expect(kafka.send('t', [{ value: 'b' }])).resolves.toEqual([{ topic: 't', partition: 0, baseOffset: '41' }]);
    expect(connect).toHaveBeenCalledTimes(3);
    expect(send).toHaveBeenCalledOnce();
  });

  it('sends nothing for an empty list', async () => {
    const { producer, send } = fakeProducer();
    expect(await new KafkaProducer(() => producer, logger).send('t', [])).toEqual([]);
    expect(send).not.toHaveBeenCalled();
  });
});
