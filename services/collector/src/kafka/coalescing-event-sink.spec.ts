import { describe, expect, it } from 'vitest';
import type { PreparedRecord } from '../ingest/event-preparation.js';
import { CoalescingEventSink, DeliveryTimeoutError } from './coalescing-event-sink.js';

const record = (key: string): PreparedRecord => ({ key, value: Buffer.from(`{"k":"${key}"}`), bytes: 10 });

function fakeKafka() {
  const sends: string[][] = [];
  const answers: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  return {
    sends,
    answers,
    send: (records: readonly PreparedRecord[]) =>
      new Promise<void>((resolve, reject) => {
        sends.push(records.map((r) => r.key));
        answers.push({ resolve, reject });
      }),
  };
}

const options = { lingerMs: 5, maxBatchEvents: 4, maxBatchBytes: 1_000, deliveryTimeoutMs: 1_000, maxConcurrentSends: 1 };
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

describe('CoalescingEventSink', () => {
  it('coalesces concurrent publishes into one send, in order, and resolves each after the ack', async () => {
    const kafka = fakeKafka();
    const sink = new CoalescingEventSink(kafka.send, options);
    const settled: string[] = [];
    const a = sink.publish([record('a1'), record('a2')]).then(() => settled.push('a'));
    const b = sink.publish([record('b1')]).then(() => settled.push('b'));
    await tick(10);
    expect(kafka.sends).toEqual([['a1', 'a2', 'b1']]);
    expect(settled).toEqual([]);
    kafka.answers[0]!.resolve();
    await Promise.all([a, b]);
    expect(settled).toEqual(['a', 'b']);
  });

  it('sends at once when a batch is full, and gathers the next batch while a send is out', async () => {
    const kafka = fakeKafka();
    const sink = new CoalescingEventSink(kafka.send, options);
    const first = sink.publish([record('1'), record('2'), record('3'), record('4')]);
    expect(kafka.sends).toEqual([['1', '2', '3', '4']]);
    const second = sink.publish([record('5')]);
    const third = sink.publish([record('6')]);
    await tick(10);
    expect(kafka.sends).toHaveLength(1);
    kafka.answers[0]!.resolve();
    await first;
    expect(kafka.sends[1]).toEqual(['5', '6']);
    kafka.answers[1]!.resolve();
    await Promise.all([second, third]);
  });

  it('lets the next batch linger from its oldest publish after a send comes back, instead of sending at once', async () => {
    const kafka = fakeKafka();
    const sink = new CoalescingEventSink(kafka.send, { ...options, lingerMs: 40 });
    const first = sink.publish([record('1'), record('2'), record('3'), record('4')]);
    const second = sink.publish([record('5')]);
    kafka.answers[0]!.resolve();
    await first;
    await tick(5);
    expect(kafka.sends).toEqual([['1', '2', '3', '4']]);
    const third = sink.publish([record('6')]);
    await tick(60);
    // One send for both: the linger ran from '5', not restarted by '6'.
    expect(kafka.sends).toEqual([['1', '2', '3', '4'], ['5', '6']]);
    kafka.answers[1]!.resolve();
    await Promise.all([second, third]);
  });

  it('sends the next batch as soon as a send comes back when its oldest publish already lingered', async () => {
    const kafka = fakeKafka();
    const sink = new CoalescingEventSink(kafka.send, { ...options, lingerMs: 20 });
    const first = sink.publish([record('1'), record('2'), record('3'), record('4')]);
    const second = sink.publish([record('5')]);
    await tick(30);
    expect(kafka.sends).toHaveLength(1);
    kafka.answers[0]!.resolve();
    await first;
    expect(kafka.sends[1]).toEqual(['5']);
    kafka.answers[1]!.resolve();
    await second;
  });

  it('fails every publish of a failed send', async () => {
    const kafka = fakeKafka();
    const sink = new CoalescingEventSink(kafka.send, options);
    const a = sink.publish([record('a')]);
    const b = sink.publish([record('b')]);
    await tick(10);
    kafka.answers[0]!.reject(new Error('NOT_ENOUGH_REPLICAS'));
    await expect(a).rejects.toThrow('NOT_ENOUGH_REPLICAS');
    await expect(b).rejects.toThrow('NOT_ENOUGH_REPLICAS');
  });

  it('times a publish out, and drops it from the queue if it never left', async () => {
    const kafka = fakeKafka();
    const sink = new CoalescingEventSink(kafka.send, { ...options, deliveryTimeoutMs: 30 });
    const stuck = sink.publish([record('stuck')]);
    await tick(10);
    const queued = sink.publish([record('queued')]);
    await expect(stuck).rejects.toBeInstanceOf(DeliveryTimeoutError);
    await expect(queued).rejects.toBeInstanceOf(DeliveryTimeoutError);
    kafka.answers[0]!.resolve();
    await tick(10);
    expect(kafka.sends).toEqual([['stuck']]);
  });

  it('sends a publish larger than a batch on its own', async () => {
    const kafka = fakeKafka();
    const sink = new CoalescingEventSink(kafka.send, { ...options, maxConcurrentSends: 2 });
    const small = sink.publish([record('s')]);
    const large = sink.publish(['1', '2', '3', '4', '5'].map(record));
    await tick(10);
    expect(kafka.sends).toEqual([['s'], ['1', '2', '3', '4', '5']]);
    kafka.answers.forEach((answer) => answer.resolve());
    await Promise.all([small, large]);
  });
});
