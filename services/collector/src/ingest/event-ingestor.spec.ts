import { TOPICS, validateTopicValue } from '@kuroshio/contracts';
import { DomainError } from '@kuroshio/service-kit';
import { describe, expect, it } from 'vitest';
import { testSource } from '../testing/test-sources.js';
import type { PreparedRecord } from './event-preparation.js';
import { EventIngestor, type IngestRequest } from './event-ingestor.js';
import type { EventSink } from './event-sink.js';
import { InFlightBudget } from './in-flight-budget.js';
import { SourceRateLimits } from './source-rate-limits.js';

class RecordingSink implements EventSink {
  readonly published: PreparedRecord[][] = [];
  failWith: Error | undefined;
  hold: Promise<void> | undefined;

  async publish(records: readonly PreparedRecord[]): Promise<void> {
    await this.hold;
    if (this.failWith !== undefined) throw this.failWith;
    this.published.push([...records]);
  }
}

const source = testSource({ id: 'web-bank', tenant: 'bank-a', channel: 'web', allowedChannels: ['web', 'app'] });
const receivedAt = new Date('2026-03-01T08:00:00.000Z');

function ingestor(options: { sink?: RecordingSink; maxInFlightEvents?: number; rateLimited?: boolean } = {}) {
  const sink = options.sink ?? new RecordingSink();
  const limited = options.rateLimited === true ? { ...source, rateLimit: { eventsPerSecond: 1, burst: 2 } } : source;
  return {
    sink,
    source: limited,
    ingestor: new EventIngestor({
      sink,
      rateLimits: new SourceRateLimits([limited], () => 0),
      budget: new InFlightBudget({ maxEvents: options.maxInFlightEvents ?? 1000, maxBytes: 1_000_000 }),
      limits: { maxBatchEvents: 5, maxEventBytes: 2048, retryAfterSeconds: 7 },
      collector: 'collector-0',
    }),
  };
}

const track = (messageId: string, extra: Record<string, unknown> = {}) => ({ type: 'track', messageId, event: 'Login', userId: 'cust-1', ...extra });

function request(events: unknown[], src = source): IngestRequest {
  return { source: src, events, transport: 'http', requestId: 'req-1', receivedAt };
}

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('EventIngestor', () => {
  it('accepts the good events of a batch and reports each bad one by index and reason', async () => {
    const { ingestor: subject, sink } = ingestor();
    const outcome = await subject.ingest(
      request([
        track('m-0'),
        { type: 'track', messageId: 'm-1', userId: 'cust-1' },
        'not an event',
        track('m-3', { properties: JSON.parse('{"__proto__": 1}') }),
        track('m-4', { context: { channel: 'branch' } }),
      ]),
    );
    expect(outcome.accepted).toBe(1);
    expect(outcome.rejections.map(({ index, code, messageId }) => ({ index, code, messageId }))).toEqual([
      { index: 1, code: 'invalid_envelope', messageId: 'm-1' },
      { index: 2, code: 'invalid_envelope', messageId: undefined },
      { index: 3, code: 'invalid_envelope', messageId: 'm-3' },
      { index: 4, code: 'channel_not_allowed', messageId: 'm-4' },
    ]);
    expect(outcome.rejections[0]?.reason).toBe('event: required for track');
    expect(sink.published).toHaveLength(1);
  });

  it('rejects a forbidden key wherever it hides', async () => {
    const { ingestor: subject } = ingestor();
    const outcome = await subject.ingest(request([JSON.parse('{"type":"track","messageId":"p","event":"e","userId":"u","properties":{"a":{"__proto__":{"polluted":true}}}}')]));
    expect(outcome.rejections[0]?.issues[0]).toMatchObject({ path: 'properties.a.__proto__', code: 'forbidden_key' });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('produces the events.raw value: enriched, keyed by customer, valid against the topic schema', async () => {
    const { ingestor: subject, sink } = ingestor();
    await subject.ingest(request([track('m-0', { userId: null, anonymousId: 'anon-9' })]));
    const record = sink.published[0]![0]!;
    expect(record.key).toBe('anon-9');
    const value = validateTopicValue(TOPICS.eventsRaw, JSON.parse(record.value.toString('utf8')));
    if (!value.ok) throw new Error(JSON.stringify(value.issues));
    expect(value.value).toEqual({
      envelope: {
        type: 'track',
        messageId: 'm-0',
        event: 'Login',
        anonymousId: 'anon-9',
        context: { channel: 'web' },
        receivedAt: '2026-03-01T08:00:00.000Z',
        tenant: 'bank-a',
        source: 'web-bank',
      },
      ingest: { transport: 'http', requestId: 'req-1', collector: 'collector-0', batchIndex: 0 },
    });
    expect(record.bytes).toBe(record.value.length);
  });

  it('rejects an event too large once encoded', async () => {
    const { ingestor: subject } = ingestor();
    const outcome = await subject.ingest(request([track('big', { properties: { note: 'x'.repeat(4000) } })]));
    expect(outcome.rejections[0]).toMatchObject({ index: 0, code: 'event_too_large' });
  });

  it('refuses a batch over the size limit as a whole', async () => {
    const { ingestor: subject, sink } = ingestor();
    const error = await refusal(subject.ingest(request(Array.from({ length: 6 }, (_, i) => track(`m-${i}`)))));
    expect({ code: error.code, reason: error.reason }).toEqual({ code: 'INVALID_ARGUMENT', reason: 'too_many_events' });
    expect(sink.published).toHaveLength(0);
  });

  it('applies the source rate limit with a retry hint', async () => {
    const { ingestor: subject, source: limited } = ingestor({ rateLimited: true });
    await subject.ingest(request([track('a'), track('b')], limited));
    const error = await refusal(subject.ingest(request([track('c')], limited)));
    expect({ code: error.code, reason: error.reason, details: error.details }).toEqual({
      code: 'RESOURCE_EXHAUSTED',
      reason: 'rate_limited',
      details: { retryAfterSeconds: 1 },
    });
  });

  it('sheds load beyond the in-flight bound, and frees it once Kafka answered', async () => {
    const sink = new RecordingSink();
    let release: () => void = () => undefined;
    sink.hold = new Promise((resolve) => (release = resolve));
    const { ingestor: subject } = ingestor({ sink, maxInFlightEvents: 2 });
    const first = subject.ingest(request([track('a'), track('b')]));
    const error = await refusal(subject.ingest(request([track('c')])));
    expect({ code: error.code, reason: error.reason, details: error.details }).toEqual({ code: 'UNAVAILABLE', reason: 'overloaded', details: { retryAfterSeconds: 7 } });
    release();
    await first;
    sink.hold = undefined;
    expect((await subject.ingest(request([track('c')]))).accepted).toBe(1);
  });

  it('answers UNAVAILABLE, never success, when Kafka does not acknowledge', async () => {
    const sink = new RecordingSink();
    sink.failWith = new Error('broker down');
    const { ingestor: subject } = ingestor({ sink });
    const error = await refusal(subject.ingest(request([track('a')])));
    expect({ code: error.code, reason: error.reason }).toEqual({ code: 'UNAVAILABLE', reason: 'kafka_unavailable' });
    sink.failWith = undefined;
    expect((await subject.ingest(request([track('a')]))).accepted).toBe(1);
  });

  it('refuses through the returned promise, never by throwing, and hands the records to the sink before it waits', async () => {
    const sink = new RecordingSink();
    let handedOver: readonly PreparedRecord[] | undefined;
    sink.publish = async (records) => {
      handedOver = records;
    };
    const { ingestor: subject } = ingestor({ sink });
    let refused: Promise<unknown> | undefined;
    expect(() => (refused = subject.ingest(request(Array.from({ length: 6 }, (_, i) => track(`m${i}`)))))).not.toThrow();
    expect((await refusal(refused!)).reason).toBe('too_many_events');
    const pending = subject.ingest(request([track('a'), track('b')]));
    // Synchronous up to the Kafka wait (gRPC streams keep their chunks' order by it).
    expect(handedOver?.map((record) => JSON.parse(record.value.toString('utf8')).envelope.messageId)).toEqual(['a', 'b']);
    expect((await pending).accepted).toBe(2);
  });

  it('does not touch Kafka when every event is bad', async () => {
    const sink = new RecordingSink();
    sink.failWith = new Error('must not be called');
    const { ingestor: subject } = ingestor({ sink });
    expect((await subject.ingest(request([{}]))).accepted).toBe(0);
  });
});
