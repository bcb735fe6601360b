import { createRequire } from 'node:module';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KAFKAJS_PRODUCE_REQUEST_MODULE, KAFKAJS_REQUEST_FRAMING_MODULE, kafkajsProduceEncoding, sameAsKafkajs, type ProduceEncoders, type ProduceRequestArgs } from './kafkajs-produce-request.js';

const require = createRequire(import.meta.url);

/** kafkajs' own module, evaluated from its file apart from the require cache. */
function loadOriginal<T>(specifier: string): T {
  const path = require.resolve(specifier);
  const cached = require.cache[path];
  delete require.cache[path];
  try {
    return require(path) as T;
  } finally {
    if (cached !== undefined) require.cache[path] = cached;
  }
}

const own: ProduceEncoders = { produce: loadOriginal(KAFKAJS_PRODUCE_REQUEST_MODULE), frame: loadOriginal(KAFKAJS_REQUEST_FRAMING_MODULE) };
const ours: ProduceEncoders = { produce: require(KAFKAJS_PRODUCE_REQUEST_MODULE), frame: require(KAFKAJS_REQUEST_FRAMING_MODULE) };

const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((array) => Buffer.from(array));
const text = (maxLength: number) => fc.string({ maxLength, unit: fc.constantFrom('a', 'z', '-', 'ä', '日', '🙂', '"') });
const headerValue = fc.oneof(text(60), bytes(60));
const message = fc.record(
  {
    key: fc.oneof(text(40), bytes(40), fc.constant(null)),
    value: fc.oneof(bytes(900), text(900), fc.constant(null)),
    timestamp: fc.oneof(fc.constant(undefined), fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 })),
    headers: fc.dictionary(fc.constantFrom('traceparent', 'x', 'ü'), fc.oneof(headerValue, fc.array(headerValue, { maxLength: 3 })), { maxKeys: 3 }),
  },
  { requiredKeys: ['key', 'value'] },
);
const request: fc.Arbitrary<ProduceRequestArgs> = fc.record(
  {
    acks: fc.constantFrom(-1, 0, 1),
    timeout: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    transactionalId: fc.oneof(fc.constant(null), text(20)),
    producerId: fc.oneof(fc.integer({ min: -1, max: 2 ** 31 - 1 }), fc.constant('9007199254740993')),
    producerEpoch: fc.integer({ min: 0, max: 32_767 }),
    topicData: fc.array(
      fc.record({
        topic: text(30),
        partitions: fc.array(
          fc.record({ partition: fc.nat({ max: 100 }), firstSequence: fc.option(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { nil: undefined }), messages: fc.array(message, { maxLength: 40 }) }),
          { maxLength: 4 },
        ),
      }),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: ['acks', 'timeout', 'topicData'] },
);

async function framed(encoders: ProduceEncoders, args: ProduceRequestArgs, correlationId: number, clientId: string): Promise<Buffer> {
  const encoder = await encoders.frame({ correlationId, clientId, request: encoders.produce(args) });
  return encoder.buf.subarray(0, encoder.offset);
}

describe('produce requests in one buffer', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('are installed once they encode the sample requests as kafkajs does', async () => {
    await Promise.resolve();
    expect(kafkajsProduceEncoding.status).toBe('installed');
    expect(ours.produce).not.toBe(own.produce);
    await expect(sameAsKafkajs(own, ours)).resolves.toBe(true);
  });

  it('frame exactly the bytes kafkajs does, with or without timestamps, keys, values and headers', async () => {
    await fc.assert(
      fc.asyncProperty(request, fc.integer({ min: 0, max: 2 ** 31 - 1 }), text(30), async (args, correlationId, clientId) => {
        // Records without a timestamp take the encoding's Date.now(); both must see the same one.
        vi.spyOn(Date, 'now').mockReturnValue(1_764_201_600_123);
        const expected = await framed(own, args, correlationId, clientId);
        const actual = await framed(ours, args, correlationId, clientId);
        expect(actual.equals(expected)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('allocate the request once, at its exact size', async () => {
    const args: ProduceRequestArgs = {
      acks: -1,
      timeout: 30_000,
      topicData: [{ topic: 'kuroshio.events.raw.v1', partitions: [{ partition: 3, messages: Array.from({ length: 500 }, (_, i) => ({ key: `cust-${i}`, value: Buffer.alloc(600, i) })) }] }],
    };
    const encoder = await ours.frame({ correlationId: 1, clientId: 'c', request: ours.produce(args) });
    expect(encoder.buf.length).toBe(encoder.offset);
  });

  it('leave compressed produce requests to kafkajs, bytes unchanged', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(1_764_201_600_123);
    const gzip = 1;
    const args = { acks: -1, timeout: 1000, compression: gzip, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v'.repeat(300) }, { key: null, value: 'w' }] }] }] };
    expect((await framed(ours, args, 9, 'c')).equals(await framed(own, args, 9, 'c'))).toBe(true);
  });
});
