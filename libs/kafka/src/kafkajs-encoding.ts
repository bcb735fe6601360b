import { Module, createRequire } from 'node:module';
import { decodeRecordV0 } from './kafkajs-record-decoder.js';

/**
 * Cheaper building blocks for kafkajs' wire encoding and decoding, for every producer and consumer
 * of the platform (docs/decisions/0010-collector-performance.md, 0011-etl-scaling.md):
 *
 * - CRC-32C: kafkajs checksums every produced record batch byte by byte in JavaScript (~16% of a
 *   bare kafkajs producer's CPU with 500-byte records). Replaced by @node-rs/crc32's native one.
 * - Encoder buffers: kafkajs' Encoder takes a fresh zero-filled `Buffer.alloc` for every record,
 *   header and growth step — a new ArrayBuffer each (~14% of the collector's CPU under batched
 *   load, ~6% of the ETL's). The replacement allocates from Node's buffer pool (`allocUnsafe`); an
 *   Encoder only ever exposes the bytes it wrote (`buf.slice(0, offset)`), so no uninitialised
 *   byte escapes. Its varints are written in place (kafkajs allocates an array and a Buffer per
 *   varint, and BigInt-backed Longs per step of each record's timestamp-delta varlong: ~1.5 µs of
 *   a produced record's ~10).
 * - Record decoding (every fetched record): offsets and timestamps as exact numbers instead of
 *   BigInt arithmetic and parsing per record (kafkajs-record-decoder.ts).
 *
 * kafkajs has no option for any of these, so its CommonJS modules are put into the require cache
 * before kafkajs loads them: this module is imported first by the package's index, before anything
 * imports kafkajs. Each replacement is checked against kafkajs' own code before it is installed; if
 * kafkajs is already loaded or a file moved in an upgrade, nothing is replaced and kafkajs runs as
 * shipped (slower, equally correct). kafkajs-encoding.spec.ts compares the bytes and records both produce.
 */
const require = createRequire(import.meta.url);

export type ReplacementStatus = 'installed' | 'kafkajs-already-loaded' | 'unavailable';

export const KAFKAJS_CRC32C_MODULE = 'kafkajs/src/protocol/recordBatch/crc32C/index.js';
export const KAFKAJS_ENCODER_MODULE = 'kafkajs/src/protocol/encoder.js';
export const KAFKAJS_RECORD_DECODER_MODULE = 'kafkajs/src/protocol/recordBatch/record/v0/decoder.js';

type Crc32c = (buffer: Buffer) => number;

interface KafkajsEncoder {
  buf: Buffer;
  offset: number;
  writeVarLong(value: unknown): KafkajsEncoder;
}
type KafkajsEncoderClass = (new (initialSize?: number) => KafkajsEncoder) & {
  nextPowerOfTwo(value: number): number;
  encodeZigZag(value: number): number;
  sizeOfVarLong(value: unknown): number;
};

// kafkajs' mask for "more than 7 bits left" of a 32-bit varint.
const UNSIGNED_INT32_MAX_NUMBER = 0xffffff80;
// Zigzag doubles the magnitude; below this it stays an exact double (2^53).
const MAX_EXACT_VARLONG_INPUT = 2 ** 51;

/**
 * The zigzag encoding of a varlong as a plain number, when the value is a number with an exact
 * encoding (|value| < 2^51: every timestamp delta); undefined sends it to kafkajs' Long arithmetic.
 */
function zigZag64OfSafeInteger(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) >= MAX_EXACT_VARLONG_INPUT) return undefined;
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

/** Puts `exports` into the require cache as the module at `path` (before kafkajs requires it). */
export function cacheExports(path: string, exports: unknown): void {
  const cached = new Module(path);
  cached.filename = path;
  cached.loaded = true;
  cached.exports = exports;
  require.cache[path] = cached;
}

function installNativeCrc32c(): ReplacementStatus {
  let path: string;
  let native: Crc32c;
  let own: Crc32c;
  try {
    path = require.resolve(KAFKAJS_CRC32C_MODULE);
    const { crc32c } = require('@node-rs/crc32') as { crc32c: (input: Buffer) => number };
    native = (buffer) => crc32c(buffer) >>> 0;
    own = require(require.resolve('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js')) as Crc32c;
  } catch {
    return 'unavailable';
  }
  if (require.cache[path] !== undefined) return 'kafkajs-already-loaded';
  const samples = [Buffer.alloc(0), Buffer.from('123456789'), Buffer.from(Array.from({ length: 4099 }, (_, i) => (i * 131) & 0xff))];
  if (!samples.every((sample) => native(sample) === own(sample) >>> 0)) return 'unavailable';
  // kafkajs' index.js exports the checksum as an unsigned 32-bit number; so does `native`.
  cacheExports(path, native);
  return 'installed';
}

function installPooledEncoder(): ReplacementStatus {
  let path: string;
  try {
    path = require.resolve(KAFKAJS_ENCODER_MODULE);
  } catch {
    return 'unavailable';
  }
  if (require.cache[path] !== undefined) return 'kafkajs-already-loaded';
  const Encoder = require(path) as KafkajsEncoderClass;
  const probe = new Encoder();
  if (!Buffer.isBuffer(probe.buf) || probe.offset !== 0 || typeof Encoder.nextPowerOfTwo !== 'function') return 'unavailable';

  class PooledEncoder extends Encoder {
    constructor(initialSize = 511) {
      super(1);
      this.buf = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(initialSize));
    }

    ensureAvailable(length: number): void {
      if (this.offset + length > this.buf.length) {
        const grown = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(this.offset + length));
        this.buf.copy(grown, 0, 0, this.offset);
        this.buf = grown;
      }
    }

    // Varints in place: kafkajs builds an array and a Buffer.from() per varint, and a BigInt-backed
    // Long per step of every varlong (each record's timestamp delta, sized and then written).
    // The same loop as kafkajs' writeUVarInt, over the same 32-bit operations.
    writeUVarInt(value: number): this {
      this.ensureAvailable(5);
      let rest = value;
      while ((rest & UNSIGNED_INT32_MAX_NUMBER) !== 0) {
        this.buf[this.offset++] = (rest & 0x7f) | 0x80;
        rest >>>= 7;
      }
      this.buf[this.offset++] = rest & 0x7f;
      return this;
    }

    writeVarInt(value: number): this {
      return this.writeUVarInt(Encoder.encodeZigZag(value));
    }

    override writeVarLong(value: unknown): this {
      let rest = zigZag64OfSafeInteger(value);
      if (rest === undefined) return super.writeVarLong(value) as this;
      this.ensureAvailable(8);
      while (rest >= 0x80) {
        this.buf[this.offset++] = (rest % 0x80) | 0x80;
        rest = Math.floor(rest / 0x80);
      }
      this.buf[this.offset++] = rest;
      return this;
    }

    static override sizeOfVarLong(value: unknown): number {
      let rest = zigZag64OfSafeInteger(value);
      if (rest === undefined) return Encoder.sizeOfVarLong(value);
      let bytes = 1;
      while (rest >= 0x80) {
        bytes += 1;
        rest = Math.floor(rest / 0x80);
      }
      return bytes;
    }
  }
  const cached = require.cache[path];
  if (cached === undefined) return 'unavailable';
  cached.exports = PooledEncoder;
  return 'installed';
}

interface SampleRecord {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[]>;
}

const DECODER_SAMPLES: ReadonlyArray<[SampleRecord, { firstOffset: string; firstTimestamp: string }]> = [
  [{ offsetDelta: 3, timestampDelta: 17, key: Buffer.from('k'), value: Buffer.from('{"a":1}'), headers: { traceparent: Buffer.from('00-x'), h: [Buffer.from('1'), Buffer.from('2')] } }, { firstOffset: '41', firstTimestamp: '1764201600000' }],
  [{ offsetDelta: 0, timestampDelta: -5, key: null, value: null, headers: {} }, { firstOffset: '9223372036854775000', firstTimestamp: '-1' }],
];

function installRecordDecoder(): ReplacementStatus {
  let path: string;
  try {
    path = require.resolve(KAFKAJS_RECORD_DECODER_MODULE);
  } catch {
    return 'unavailable';
  }
  if (require.cache[path] !== undefined) return 'kafkajs-already-loaded';
  try {
    // Loading kafkajs' record encoder, Decoder and its own record decoder does not load the record
    // batch decoder that requires the module being replaced.
    const own = require(path) as (decoder: unknown, context: object) => unknown;
    const encodeRecord = require(require.resolve('kafkajs/src/protocol/recordBatch/record/v0/index.js')) as (record: SampleRecord) => { buffer: Buffer };
    const Decoder = require(require.resolve('kafkajs/src/protocol/decoder.js')) as new (buffer: Buffer) => Parameters<typeof decodeRecordV0>[0];
    const same = DECODER_SAMPLES.every(([record, context]) => {
      // The encoding starts with the record's length, which the record batch decoder reads.
      const bytes = (new Decoder(encodeRecord(record).buffer) as unknown as { readVarIntBytes(): Buffer }).readVarIntBytes();
      const ownContext = { ...context, magicByte: 2, isControlBatch: false, timestampType: 0 };
      return JSON.stringify(own(new Decoder(bytes), ownContext)) === JSON.stringify(decodeRecordV0(new Decoder(bytes), ownContext));
    });
    if (!same) return 'unavailable';
  } catch {
    return 'unavailable';
  }
  const cached = require.cache[path];
  if (cached === undefined) return 'unavailable';
  cached.exports = decodeRecordV0;
  return 'installed';
}

export const kafkajsEncoding = { crc32c: installNativeCrc32c(), encoder: installPooledEncoder(), recordDecoder: installRecordDecoder() } as const;
