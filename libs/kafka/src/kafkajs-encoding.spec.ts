import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KAFKAJS_CRC32C_MODULE, KAFKAJS_ENCODER_MODULE, KAFKAJS_RECORD_DECODER_MODULE, kafkajsEncoding } from './kafkajs-encoding.js';
import { decodeRecordV0, type KafkajsDecoder } from './kafkajs-record-decoder.js';

const require = createRequire(import.meta.url);

interface Encoder {
  readonly buffer: Buffer;
  writeInt8(value: number): Encoder;
  writeInt32(value: number): Encoder;
  writeVarInt(value: number): Encoder;
  writeUVarInt(value: number): Encoder;
  writeVarLong(value: number): Encoder;
  writeVarIntString(value: string): Encoder;
  writeVarIntBytes(value: Buffer): Encoder;
  writeBytes(value: Buffer): Encoder;
  writeEncoder(value: Encoder): Encoder;
}
type EncoderClass = (new (initialSize?: number) => Encoder) & { sizeOfVarLong(value: number): number };

// Timestamp deltas and the 64-bit range beyond exact zigzag arithmetic (kafkajs' Long path).
const varlong = fc.oneof(fc.integer(), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.maxSafeInteger(), fc.constantFrom(2 ** 51 - 1, 2 ** 51, -(2 ** 51), -(2 ** 51) + 1, 2 ** 53, 0, -1));

const operation = fc.oneof(
  fc.record({ op: fc.constant('int8' as const), value: fc.integer({ min: -128, max: 127 }) }),
  fc.record({ op: fc.constant('int32' as const), value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) }),
  fc.record({ op: fc.constant('varint' as const), value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) }),
  fc.record({ op: fc.constant('uvarint' as const), value: fc.oneof(fc.nat(), fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 })) }),
  fc.record({ op: fc.constant('varlong' as const), value: varlong }),
  fc.record({ op: fc.constant('string' as const), value: fc.string({ maxLength: 700 }) }),
  fc.record({ op: fc.constant('bytes' as const), value: fc.uint8Array({ maxLength: 3000 }) }),
  fc.record({ op: fc.constant('nested' as const), value: fc.uint8Array({ maxLength: 600 }) }),
);

function encode(Encoder: EncoderClass, initialSize: number | undefined, operations: readonly { op: string; value: unknown }[]): Buffer {
  const encoder = new Encoder(initialSize);
  for (const { op, value } of operations) {
    if (op === 'int8') encoder.writeInt8(value as number);
    else if (op === 'int32') encoder.writeInt32(value as number);
    else if (op === 'varint') encoder.writeVarInt(value as number);
    else if (op === 'uvarint') encoder.writeUVarInt(value as number);
    else if (op === 'varlong') encoder.writeVarLong(value as number);
    else if (op === 'string') encoder.writeVarIntString(value as string);
    else if (op === 'bytes') encoder.writeVarIntBytes(Buffer.from(value as Uint8Array)).writeBytes(Buffer.from(value as Uint8Array));
    else encoder.writeEncoder(new Encoder().writeVarIntBytes(Buffer.from(value as Uint8Array)));
  }
  return encoder.buffer;
}

describe('kafkajs encoding replacements', () => {
  it('are installed (this module loads before kafkajs)', () => {
    expect(kafkajsEncoding).toEqual({ crc32c: 'installed', encoder: 'installed', recordDecoder: 'installed' });
  });

  it('give the checksums kafkajs computes itself', () => {
    const replaced = require(KAFKAJS_CRC32C_MODULE) as (buffer: Buffer) => number;
    const own = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js') as (buffer: Buffer) => number;
    expect(replaced(Buffer.from('123456789'))).toBe(0xe3069283);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 5000 }), (bytes) => replaced(Buffer.from(bytes)) === own(Buffer.from(bytes)) >>> 0));
  });

  it('encode exactly the bytes kafkajs own Encoder does, growing or not', () => {
    const Pooled = require(KAFKAJS_ENCODER_MODULE) as EncoderClass;
    const Original = Object.getPrototypeOf(Pooled) as EncoderClass;
    expect(Original).not.toBe(Pooled);
    fc.assert(
      fc.property(fc.option(fc.integer({ min: 1, max: 4096 }), { nil: undefined }), fc.array(operation, { maxLength: 30 }), (initialSize, operations) => {
        expect(encode(Pooled, initialSize, operations).equals(encode(Original, initialSize, operations))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('size varlongs as kafkajs own Encoder does', () => {
    const Pooled = require(KAFKAJS_ENCODER_MODULE) as EncoderClass;
    const Original = Object.getPrototypeOf(Pooled) as EncoderClass;
    expect(Pooled.sizeOfVarLong).not.toBe(Original.sizeOfVarLong);
    fc.assert(fc.property(varlong, (value) => Pooled.sizeOfVarLong(value) === Original.sizeOfVarLong(value)), { numRuns: 2000 });
  });

  it('decode every record exactly as kafkajs own record decoder does', () => {
    expect(require(KAFKAJS_RECORD_DECODER_MODULE)).toBe(decodeRecordV0);
    const own = require('kafkajs/src/protocol/recordBatch/record/v0/decoder.js') as unknown;
    // The module in the cache is ours; kafkajs' original is loaded from its file beside it.
    const original = loadOriginal('kafkajs/src/protocol/recordBatch/record/v0/decoder.js');
    expect(own).toBe(decodeRecordV0);
    const encodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (record: object) => { buffer: Buffer };
    const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => KafkajsDecoder;
    // Names Object.prototype has (toString, __proto__) are the one difference, tested below.
    const headerName = fc.oneof(fc.constantFrom('traceparent', 'content-type', 'x'), fc.string({ maxLength: 12 }).filter((name) => !(name in Object.prototype)));
    const bytes = fc.option(fc.uint8Array({ maxLength: 200 }).map((array) => Buffer.from(array)), { nil: null });
    const decimal = (min: bigint, max: bigint) => fc.bigInt({ min, max }).map(String);
    fc.assert(
      fc.property(
        fc.record({
          offsetDelta: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          timestampDelta: fc.oneof(fc.integer({ min: -100_000, max: 100_000 }), fc.integer()),
          key: bytes,
          value: bytes,
          headers: fc.array(fc.tuple(headerName, fc.uint8Array({ maxLength: 40 })), { maxLength: 4 }),
        }),
        fc.oneof(decimal(0n, 10n ** 7n), decimal(2n ** 53n - 10n ** 6n, 2n ** 63n - 1n)),
        fc.oneof(decimal(1_700_000_000_000n, 1_800_000_000_000n), decimal(-1n, 0n), decimal(2n ** 53n - 5n, 2n ** 60n)),
        fc.constantFrom(0, 1),
        (record, firstOffset, firstTimestamp, timestampType) => {
          const headers: Record<string, Buffer | Buffer[]> = {};
          for (const [name, value] of record.headers) {
            const existing = Object.hasOwn(headers, name) ? headers[name] : undefined;
            const next = existing === undefined ? Buffer.from(value) : [...(Array.isArray(existing) ? existing : [existing]), Buffer.from(value)];
            Object.defineProperty(headers, name, { value: next, enumerable: true, writable: true, configurable: true });
          }
          // Without the leading length, which the record batch decoder reads before the record decoder runs.
          const encoded = new Decoder(encodeRecord({ ...record, headers }).buffer).readVarIntBytes() as Buffer;
          const context = { firstOffset, firstTimestamp, magicByte: 2, isControlBatch: false, timestampType, maxTimestamp: '1764201600123' };
          const expected = original(new Decoder(encoded), context);
          const actual = decodeRecordV0(new Decoder(encoded), context);
          expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
          expect(Object.keys(actual.headers)).toEqual(Object.keys(expected.headers as object));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('record decoding', () => {
  it('keeps a header named like an Object.prototype member as a plain value (kafkajs would prepend the inherited member)', () => {
    const encodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (record: object) => { buffer: Buffer };
    const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => KafkajsDecoder;
    const headers = Object.defineProperty({ toString: Buffer.from('a') }, '__proto__', { value: Buffer.from('b'), enumerable: true });
    const bytes = new Decoder(encodeRecord({ offsetDelta: 0, timestampDelta: 0, key: null, value: null, headers }).buffer).readVarIntBytes() as Buffer;
    const decoded = decodeRecordV0(new Decoder(bytes), { firstOffset: '0', firstTimestamp: '0' });
    expect(Object.getPrototypeOf(decoded.headers)).toBe(Object.prototype);
    expect(Object.entries(decoded.headers)).toEqual([
      ['toString', Buffer.from('a')],
      ['__proto__', Buffer.from('b')],
    ]);
  });
});

/** kafkajs' own module, evaluated from its file apart from the require cache. */
function loadOriginal(specifier: string): (decoder: unknown, context: object) => { headers: unknown } {
  const path = require.resolve(specifier);
  const cached = require.cache[path];
  delete require.cache[path];
  try {
    return require(path) as (decoder: unknown, context: object) => { headers: unknown };
  } finally {
    if (cached !== undefined) require.cache[path] = cached;
  }
}
