import { Module, createRequire } from 'node:module';

/**
 * Two cheaper building blocks for kafkajs' produce-request encoding, the largest CPU cost of the
 * collector once validation was fast (docs/decisions/0010-collector-performance.md):
 *
 * - CRC-32C: kafkajs checksums every record batch byte by byte in JavaScript (~16% of a bare
 *   kafkajs producer's CPU with 500-byte records). Replaced by @node-rs/crc32's native one.
 * - Encoder buffers: kafkajs' Encoder takes a fresh zero-filled `Buffer.alloc` for every record,
 *   header and growth step — a new ArrayBuffer each (~14% of the collector's CPU under batched
 *   load). The replacement allocates from Node's buffer pool (`allocUnsafe`); an Encoder only
 *   ever exposes the bytes it wrote (`buf.slice(0, offset)`), so no uninitialised byte escapes.
 *
 * kafkajs has no option for either, so the two CommonJS modules are put into the require cache
 * before kafkajs loads them: import this module before anything imports kafkajs (main.ts does,
 * first). Each replacement is checked against kafkajs' own code before it is installed; if kafkajs
 * is already loaded or a file moved in an upgrade, nothing is replaced and kafkajs runs as shipped
 * (slower, equally correct). kafkajs-encoding.spec.ts compares the bytes both produce.
 */
const require = createRequire(import.meta.url);

export type ReplacementStatus = 'installed' | 'kafkajs-already-loaded' | 'unavailable';

export const KAFKAJS_CRC32C_MODULE = 'kafkajs/src/protocol/recordBatch/crc32C/index.js';
export const KAFKAJS_ENCODER_MODULE = 'kafkajs/src/protocol/encoder.js';

type Crc32c = (buffer: Buffer) => number;

interface KafkajsEncoder {
  buf: Buffer;
  offset: number;
}
type KafkajsEncoderClass = (new (initialSize?: number) => KafkajsEncoder) & { nextPowerOfTwo(value: number): number };

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
  const cached = new Module(path);
  cached.filename = path;
  cached.loaded = true;
  // kafkajs' index.js exports the checksum as an unsigned 32-bit number; so does `native`.
  cached.exports = native;
  require.cache[path] = cached;
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
  }
  const cached = require.cache[path];
  if (cached === undefined) return 'unavailable';
  cached.exports = PooledEncoder;
  return 'installed';
}

export const kafkajsEncoding = { crc32c: installNativeCrc32c(), encoder: installPooledEncoder() } as const;
