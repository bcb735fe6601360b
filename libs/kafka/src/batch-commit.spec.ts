import { propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { createLogger } from '@kuroshio/telemetry';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { commitAfterHandling, nextOffset } from './batch-commit.js';
import type { ConsumedBatch } from './messages.js';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

function record(offset: string, headers: KafkaMessage['headers'] = {}): KafkaMessage {
  return { offset, key: Buffer.from('k'), value: Buffer.from(`v${offset}`), headers, timestamp: '1700000000000', attributes: 0 };
}

function fakePayload(messages: KafkaMessage[], lastOffset = messages[messages.length - 1]?.offset ?? '0') {
  const calls: string[] = [];
  const payload = {
    batch: {
      topic: 't',
      partition: 3,
      highWatermark: '100',
      messages,
      isEmpty: () => messages.length === 0,
      firstOffset: () => messages[0]?.offset ?? null,
      lastOffset: () => lastOffset,
      offsetLag: () => '0',
      offsetLagLow: () => '0',
    },
    resolveOffset: vi.fn((offset: string) => calls.push(`resolve:${offset}`)),
    heartbeat: vi.fn(async () => undefined),
    pause: vi.fn(),
    commitOffsetsIfNecessary: vi.fn(async (offsets?: unknown) => {
      calls.push(`commit:${JSON.stringify(offsets)}`);
    }),
    uncommittedOffsets: vi.fn(),
    isRunning: () => true,
    isStale: vi.fn(() => false),
  };
  return { payload: payload as unknown as EachBatchPayload & typeof payload, calls };
}

const options = { heartbeatIntervalMs: 1_000, logger: createLogger({ service: 'test', level: 'silent' }) };

describe('commitAfterHandling', () => {
  beforeAll(() => propagation.setGlobalPropagator(new W3CTraceContextPropagator()));
  afterAll(() => propagation.disable());

  it('commits the offset after the last record only once the handler has resolved', async () => {
    const { payload, calls } = fakePayload([record('10'), record('11'), record('12')]);
    const handler = vi.fn(async (batch: ConsumedBatch) => {
      calls.push(`handled:${batch.messages.map((m) => m.offset).join(',')}`);
    });
    await commitAfterHandling(handler, options)(payload);
    expect(calls).toEqual([
      'handled:10,11,12',
      'resolve:12',
      `commit:${JSON.stringify({ topics: [{ topic: 't', partitions: [{ partition: 3, offset: '13' }] }] })}`,
    ]);
  });

  it('commits past trailing transaction markers the handler never saw', async () => {
    const { payload } = fakePayload([record('10')], '11');
    await commitAfterHandling(async () => undefined, options)(payload);
    expect(payload.commitOffsetsIfNecessary).toHaveBeenCalledWith({ topics: [{ topic: 't', partitions: [{ partition: 3, offset: '12' }] }] });
  });

  it('commits nothing when the handler throws, so the batch is delivered again', async () => {
    const { payload } = fakePayload([record('5')]);
    const failure = new Error('sink down');
    await expect(commitAfterHandling(async () => Promise.reject(failure), options)(payload)).rejects.toBe(failure);
    expect(payload.resolveOffset).not.toHaveBeenCalled();
    expect(payload.commitOffsetsIfNecessary).not.toHaveBeenCalled();
  });

  it('skips a batch made stale by a seek', async () => {
    const { payload } = fakePayload([record('5')]);
    payload.isStale.mockReturnValue(true);
    const handler = vi.fn(async () => undefined);
    await commitAfterHandling(handler, options)(payload);
    expect(handler).not.toHaveBeenCalled();
    expect(payload.commitOffsetsIfNecessary).not.toHaveBeenCalled();
  });

  it('hands the handler decoded headers and the extracted trace context', async () => {
    const { payload } = fakePayload([record('7', { traceparent: Buffer.from(TRACEPARENT), 'content-type': 'application/json' })]);
    let seen: ConsumedBatch | undefined;
    await commitAfterHandling(async (batch) => {
      seen = batch;
    }, options)(payload);
    const message = seen?.messages[0];
    expect(message?.headers).toEqual({ traceparent: TRACEPARENT, 'content-type': 'application/json' });
    expect(message?.value?.toString()).toBe('v7');
    const spanContext = message && trace.getSpanContext(message.traceContext);
    expect(spanContext?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(spanContext?.spanId).toBe('b7ad6b7169203331');
  });

  it('keeps heartbeating while a slow handler runs', async () => {
    vi.useFakeTimers();
    try {
      const { payload } = fakePayload([record('1')]);
      let release: () => void = () => undefined;
      const done = commitAfterHandling(() => new Promise<void>((resolve) => (release = resolve)), options)(payload);
      await vi.advanceTimersByTimeAsync(3_500);
      expect(payload.heartbeat).toHaveBeenCalledTimes(3);
      release();
      await done;
      await vi.advanceTimersByTimeAsync(5_000);
      expect(payload.heartbeat).toHaveBeenCalledTimes(3);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('nextOffset', () => {
  it('adds one without losing precision beyond 2^53', () => {
    expect(nextOffset('9007199254740993')).toBe('9007199254740994');
  });
});
