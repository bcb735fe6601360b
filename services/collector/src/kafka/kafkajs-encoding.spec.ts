import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KAFKAJS_CRC32C_MODULE, KAFKAJS_ENCODER_MODULE, kafkajsEncoding } from './kafkajs-encoding.js';

const require = createRequire(import.meta.url);

interface Encoder {
  readonly buffer: Buffer;
  writeInt8(value: number): Encoder;
  writeInt32(value: number): Encoder;
  writeVarInt(value: number): Encoder;
  writeVarIntString(value: string): Encoder;
  writeVarIntBytes(value: Buffer): Encoder;
  writeBytes(value: Buffer): Encoder;
  writeEncoder(value: Encoder): Encoder;
}
type EncoderClass = new (initialSize?: number) => Encoder;

const operation = fc.oneof(
  fc.record({ op: fc.constant('int8' as const), value: fc.integer({ min: -128, max: 127 }) }),
  fc.record({ op: fc.constant('int32' as const), value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) }),
  fc.record({ op: fc.constant('varint' as const), value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) }),
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
    else if (op === 'string') encoder.writeVarIntString(value as string);
    else if (op === 'bytes') encoder.writeVarIntBytes(Buffer.from(value as Uint8Array)).writeBytes(Buffer.from(value as Uint8Array));
    else encoder.writeEncoder(new Encoder().writeVarIntBytes(Buffer.from(value as Uint8Array)));
  }
  return encoder.buffer;
}

describe('kafkajs encoding replacements', () => {
  it('are installed (this module loads before kafkajs)', () => {
    expect(kafkajsEncoding).toEqual({ crc32c: 'installed', encoder: 'installed' });
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
});
