import { createRequire } from 'node:module';
import type { ReplacementStatus } from './kafkajs-encoding.js';
import './kafkajs-encoding.js';

/**
 * Produce requests encoded into one buffer (docs/decisions/0010-collector-performance.md).
 *
 * kafkajs encodes a produce request in layers, each into its own growing buffer that the next
 * layer copies: every record, the record batch body (grown by doubling), the batch with its CRC,
 * the batch with its offset, the partition, the topic, the request, then the request header and
 * the size prefix (protocol/request.js): a record's bytes are copied about ten times, and a 400 KB
 * send allocates megabytes of short-lived buffers. Under the collector's batched load that was
 * ~20% of its CPU and most of the memory outside the V8 heap (freed only at the next GC, and then
 * kept by malloc).
 *
 * The replacement writes the same bytes once: the records are sized first (with kafkajs' own size
 * functions), the request goes into one buffer of that size, and the length prefixes and the CRC
 * are filled in from what was written. The request framing writes the header and the payload into
 * one buffer of the exact size. Compressed produce requests keep kafkajs' encoding.
 *
 * Installed like kafkajs-encoding.ts: both modules go into the require cache before kafkajs loads
 * them (kafka-client.ts imports this before kafkajs), each checked against kafkajs' own encoding of
 * sample requests first; otherwise nothing is replaced. kafkajs-produce-request.spec.ts compares
 * the bytes with fast-check.
 */
const require = createRequire(import.meta.url);

export const KAFKAJS_PRODUCE_REQUEST_MODULE = 'kafkajs/src/protocol/requests/produce/v3/request.js';
export const KAFKAJS_REQUEST_FRAMING_MODULE = 'kafkajs/src/protocol/request.js';
const KAFKAJS_ENCODER_MODULE = 'kafkajs/src/protocol/encoder.js';
const KAFKAJS_CRC32C_MODULE = 'kafkajs/src/protocol/recordBatch/crc32C/index.js';
const KAFKAJS_COMPRESSION_MODULE = 'kafkajs/src/protocol/message/compression/index.js';
const KAFKAJS_LONG_MODULE = 'kafkajs/src/utils/long.js';

interface Encoder {
  buf: Buffer;
  offset: number;
  size(): number;
  writeInt8(value: number): Encoder;
  writeInt16(value: number): Encoder;
  writeInt32(value: number): Encoder;
  writeUInt32(value: number): Encoder;
  writeInt64(value: unknown): Encoder;
  writeString(value: string | null | undefined): Encoder;
  writeVarInt(value: number): Encoder;
  writeVarLong(value: unknown): Encoder;
  writeVarIntString(value: string): Encoder;
  writeVarIntBytes(value: unknown): Encoder;
  writeEncoder(value: Encoder): Encoder;
}
interface EncoderClass {
  new (initialSize?: number): Encoder;
  sizeOfVarInt(value: number): number;
  sizeOfVarLong(value: unknown): number;
  sizeOfVarIntBytes(value: unknown): number;
}

/** A message as kafkajs' producer hands it to the produce request (after partitioning). */
export interface ProduceMessage {
  readonly key?: unknown;
  readonly value?: unknown;
  readonly timestamp?: number | string | null;
  readonly headers?: Record<string, unknown>;
}
export interface ProducePartitionData {
  readonly partition: number;
  readonly firstSequence?: number;
  readonly messages: readonly ProduceMessage[];
}
export interface ProduceRequestArgs {
  readonly acks: number;
  readonly timeout: number;
  readonly transactionalId?: string | null;
  readonly producerId?: unknown;
  readonly producerEpoch?: number;
  readonly compression?: number;
  readonly topicData: readonly { readonly topic: string; readonly partitions: readonly ProducePartitionData[] }[];
}
interface ProduceRequest {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly apiName: string;
  expectResponse(): boolean;
  encode(): Promise<Encoder>;
}
type ProduceRequestFactory = (args: ProduceRequestArgs) => ProduceRequest;
export interface FramingArgs {
  readonly correlationId: number;
  readonly clientId: string;
  readonly request: { readonly apiKey: number; readonly apiVersion: number; encode(): Promise<Encoder> | Encoder };
}
type Framing = (args: FramingArgs) => Promise<Encoder>;

const MAGIC_BYTE = 2;
const TRANSACTIONAL_MASK = 16;
const NO_COMPRESSION = 0;

interface Header {
  readonly key: string;
  readonly value: unknown;
}

/** A record's parts as kafkajs' record encoder computes them. */
interface SizedRecord {
  readonly message: ProduceMessage;
  readonly timestampDelta: number;
  readonly headers: readonly Header[];
  readonly bodySize: number;
}

function encoderFrom(Encoder: EncoderClass, size: number): Encoder {
  const encoder = new Encoder(1);
  // Exactly the size (the Encoder's own constructor rounds up to a power of two).
  encoder.buf = Buffer.allocUnsafe(size);
  return encoder;
}

export function produceEncoding(Encoder: EncoderClass, crc32c: (bytes: Buffer) => number, longFromInt: (value: number) => unknown) {
  // kafkajs' record encoder (recordBatch/record/v0): the headers flattened, the body sized up front.
  const sizeRecord = (message: ProduceMessage, offsetDelta: number, timestampDelta: number): SizedRecord => {
    const { key, value, headers: headerMap = {} } = message;
    const headers = Object.keys(headerMap).flatMap((headerKey): Header[] => {
      const headerValue = headerMap[headerKey];
      return !Array.isArray(headerValue) ? [{ key: headerKey, value: headerValue }] : headerValue.map((each: unknown) => ({ key: headerKey, value: each }));
    });
    let headersSize = Encoder.sizeOfVarInt(headers.length);
    for (const header of headers) {
      const keySize = Buffer.byteLength(header.key);
      const valueSize = Buffer.byteLength(header.value as string);
      headersSize += Encoder.sizeOfVarInt(keySize) + keySize;
      headersSize += header.value === null ? Encoder.sizeOfVarInt(-1) : Encoder.sizeOfVarInt(valueSize) + valueSize;
    }
    const bodySize =
      1 + Encoder.sizeOfVarLong(timestampDelta) + Encoder.sizeOfVarInt(offsetDelta) + Encoder.sizeOfVarIntBytes(key) + Encoder.sizeOfVarIntBytes(value) + headersSize;
    return { message, timestampDelta, headers, bodySize };
  };

  const writeRecord = (encoder: Encoder, record: SizedRecord, offsetDelta: number): void => {
    encoder.writeVarInt(record.bodySize).writeInt8(0).writeVarLong(record.timestampDelta).writeVarInt(offsetDelta);
    encoder.writeVarIntBytes(record.message.key).writeVarIntBytes(record.message.value).writeVarInt(record.headers.length);
    for (const header of record.headers) encoder.writeVarIntString(header.key).writeVarIntBytes(header.value);
  };

  /** The partition's records, timestamps as kafkajs' partition encoder (produce/v3) derives them. */
  const sizePartition = (messages: readonly ProduceMessage[]) => {
    const dateNow = Date.now();
    const messageTimestamps = messages
      .map((message) => message.timestamp)
      .filter((timestamp) => timestamp != null)
      .sort();
    const timestamps = messageTimestamps.length === 0 ? [dateNow] : messageTimestamps;
    const firstTimestamp = timestamps[0] as number;
    const maxTimestamp = timestamps[timestamps.length - 1];
    const records = messages.map((message, index) => sizeRecord(message, index, ((message.timestamp || dateNow) as number) - firstTimestamp));
    let bytes = 0;
    for (const record of records) bytes += Encoder.sizeOfVarInt(record.bodySize) + record.bodySize;
    return { records, firstTimestamp, maxTimestamp, bytes };
  };

  // Partition, batch size, first offset, batch length, leader epoch, magic, CRC, then the batch
  // header (attributes ... first sequence) and the record count: 4+4+8+4+4+1+4+2+4+8+8+8+2+4+4.
  const PARTITION_OVERHEAD = 69;

  return async function encodeProduceRequest({ acks, timeout, transactionalId = null, producerId = longFromInt(-1), producerEpoch = 0, topicData }: ProduceRequestArgs): Promise<Encoder> {
    const sized = topicData.map(({ topic, partitions }) => ({ topic, partitions: partitions.map((data) => ({ data, ...sizePartition(data.messages) })) }));
    let total = 2 + (transactionalId == null ? 0 : Buffer.byteLength(transactionalId, 'utf8')) + 2 + 4 + 4;
    for (const topic of sized) {
      total += 2 + Buffer.byteLength(topic.topic, 'utf8') + 4;
      for (const partition of topic.partitions) total += PARTITION_OVERHEAD + partition.bytes;
    }
    // Sized exactly for what kafkajs would write; should a size differ, the Encoder still grows, and
    // every length below is taken from what was written.
    const encoder = encoderFrom(Encoder, total);
    encoder.writeString(transactionalId).writeInt16(acks).writeInt32(timeout).writeInt32(sized.length);
    for (const topic of sized) {
      encoder.writeString(topic.topic).writeInt32(topic.partitions.length);
      for (const { data, records, firstTimestamp, maxTimestamp } of topic.partitions) {
        encoder.writeInt32(data.partition);
        const sizeAt = encoder.offset;
        // The record batch's size, its first offset (0) and its length, filled in below.
        encoder.writeInt32(0).writeInt32(0).writeInt32(0);
        const lengthAt = encoder.offset;
        encoder.writeInt32(0);
        const batchStart = encoder.offset;
        encoder.writeInt32(0).writeInt8(MAGIC_BYTE);
        const crcAt = encoder.offset;
        encoder.writeUInt32(0);
        const bodyStart = encoder.offset;
        encoder
          .writeInt16(NO_COMPRESSION | (transactionalId ? TRANSACTIONAL_MASK : 0))
          .writeInt32(records.length - 1)
          .writeInt64(firstTimestamp)
          .writeInt64(maxTimestamp)
          .writeInt64(producerId)
          .writeInt16(producerEpoch)
          .writeInt32(data.firstSequence ?? 0)
          .writeInt32(records.length);
        for (let index = 0; index < records.length; index += 1) writeRecord(encoder, records[index] as SizedRecord, index);
        const end = encoder.offset;
        const { buf } = encoder;
        buf.writeUInt32BE(crc32c(buf.subarray(bodyStart, end)), crcAt);
        buf.writeInt32BE(end - batchStart, lengthAt);
        buf.writeInt32BE(end - sizeAt - 4, sizeAt);
      }
    }
    return encoder;
  };
}

/** kafkajs' request framing (size, api key and version, correlation id, client id, payload) into one buffer. */
export function requestFraming(Encoder: EncoderClass): Framing {
  return async ({ correlationId, clientId, request: { apiKey, apiVersion, encode } }) => {
    const payload = await encode();
    const size = 2 + 2 + 4 + 2 + (clientId == null ? 0 : Buffer.byteLength(clientId, 'utf8')) + payload.size();
    return encoderFrom(Encoder, 4 + size).writeInt32(size).writeInt16(apiKey).writeInt16(apiVersion).writeInt32(correlationId).writeString(clientId).writeEncoder(payload);
  };
}

const SAMPLE_REQUESTS: readonly ProduceRequestArgs[] = [
  {
    acks: -1,
    timeout: 30_000,
    producerId: 4242,
    producerEpoch: 3,
    topicData: [
      {
        topic: 'kuroshio.sample.v1',
        partitions: [
          {
            partition: 0,
            firstSequence: 7,
            messages: [
              { key: 'cust-1', value: Buffer.from('{"a":1}'), timestamp: 1_764_201_600_000, headers: { traceparent: '00-abc-01', h: [Buffer.from('1'), 'two'] } },
              { key: null, value: 'x'.repeat(700), timestamp: 1_764_201_600_005 },
            ],
          },
          { partition: 5, messages: [{ key: Buffer.from([0, 255]), value: null, timestamp: 1_764_201_599_000, headers: {} }] },
        ],
      },
      { topic: 'ä-topic', partitions: [{ partition: 1, firstSequence: 2 ** 31 - 1, messages: [{ key: 'k', value: 'ü日本', timestamp: 1 }] }] },
    ],
  },
  { acks: 1, timeout: 5, transactionalId: 'tx-1', topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'a', value: 'b', timestamp: 2 }] }] }] },
];

/** kafkajs' produce request factory and framing, and the replacements. */
export interface ProduceEncoders {
  readonly produce: ProduceRequestFactory;
  readonly frame: Framing;
}

/** Whether `ours` frames the sample produce requests byte for byte as `own` (kafkajs) does. */
export async function sameAsKafkajs(own: ProduceEncoders, ours: ProduceEncoders): Promise<boolean> {
  for (const [index, args] of SAMPLE_REQUESTS.entries()) {
    const frameArgs = { correlationId: 17 + index, clientId: index === 0 ? 'kuroshio-ä' : '' };
    const expected = await own.frame({ ...frameArgs, request: own.produce(args) });
    const actual = await ours.frame({ ...frameArgs, request: ours.produce(args) });
    if (!expected.buf.subarray(0, expected.offset).equals(actual.buf.subarray(0, actual.offset))) return false;
  }
  return true;
}

/**
 * `checking` until the replacements have encoded the sample requests as kafkajs does (a few
 * microtasks after this module loads, before any connection exists); kafkajs' own encoding is
 * used until then, and for good if they differ (`unavailable`).
 */
export const kafkajsProduceEncoding: { status: ReplacementStatus | 'checking' } = { status: 'unavailable' };

function install(): void {
  let producePath: string;
  let framingPath: string;
  let own: ProduceEncoders;
  let ours: ProduceEncoders;
  try {
    producePath = require.resolve(KAFKAJS_PRODUCE_REQUEST_MODULE);
    framingPath = require.resolve(KAFKAJS_REQUEST_FRAMING_MODULE);
    if (require.cache[producePath] !== undefined || require.cache[framingPath] !== undefined) {
      kafkajsProduceEncoding.status = 'kafkajs-already-loaded';
      return;
    }
    const Encoder = require(require.resolve(KAFKAJS_ENCODER_MODULE)) as EncoderClass;
    const crc32c = require(require.resolve(KAFKAJS_CRC32C_MODULE)) as (bytes: Buffer) => number;
    const Long = require(require.resolve(KAFKAJS_LONG_MODULE)) as { fromInt(value: number): unknown };
    const { Types } = require(require.resolve(KAFKAJS_COMPRESSION_MODULE)) as { Types: { None: number } };
    if (Types.None !== NO_COMPRESSION) return;
    // Neither loads kafkajs' index or anything else that would keep a reference to them.
    own = { produce: require(producePath) as ProduceRequestFactory, frame: require(framingPath) as Framing };
    const encode = produceEncoding(Encoder, crc32c, (value) => Long.fromInt(value));
    ours = {
      produce: (args) => {
        const request = own.produce(args);
        return (args.compression ?? NO_COMPRESSION) === NO_COMPRESSION ? { ...request, encode: () => encode(args) } : request;
      },
      frame: requestFraming(Encoder),
    };
  } catch {
    return;
  }
  const produceModule = require.cache[producePath];
  const framingModule = require.cache[framingPath];
  if (produceModule === undefined || framingModule === undefined) return;
  let verified = false;
  const produce: ProduceRequestFactory = (args) => (verified ? ours.produce(args) : own.produce(args));
  const frame: Framing = (args) => (verified ? ours.frame(args) : own.frame(args));
  produceModule.exports = produce;
  framingModule.exports = frame;
  kafkajsProduceEncoding.status = 'checking';
  void sameAsKafkajs(own, ours).then(
    (same) => {
      verified = same;
      kafkajsProduceEncoding.status = same ? 'installed' : 'unavailable';
    },
    () => {
      kafkajsProduceEncoding.status = 'unavailable';
    },
  );
}

install();
