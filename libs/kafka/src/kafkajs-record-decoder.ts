/**
 * A drop-in for kafkajs' `protocol/recordBatch/record/v0/decoder.js`, the per-record step of every
 * fetch. kafkajs computes each record's offset and timestamp with its BigInt-backed `Long`: a
 * BigInt per varlong byte, two BigInts parsed from the batch's decimal strings and two BigInt →
 * string conversions per record. Here the batch's first offset and timestamp are parsed once per
 * record batch and the deltas added as plain numbers while the sums are exact (|x| ≤ 2^53 − 1);
 * anything larger takes BigInt, as kafkajs does. The result has the same fields and values.
 */

export interface KafkajsDecoder {
  buffer: Buffer;
  offset: number;
  readInt8(): number;
  readVarInt(): number;
  readVarLong(): { toString(): string };
  readVarIntString(): string | null;
  readVarIntBytes(): Buffer | null;
}

export interface RecordBatchContext {
  firstOffset: string;
  firstTimestamp: string;
  magicByte?: number;
  isControlBatch?: boolean;
  timestampType?: number;
  maxTimestamp?: string;
}

/** kafkajs' TimestampTypes.LOG_APPEND_TIME. */
const LOG_APPEND_TIME = 1;

interface Bases {
  offset: number | undefined;
  timestamp: number | undefined;
}

// One entry per record batch (kafkajs builds one context object per batch and passes it to each record).
const basesOf = new WeakMap<object, Bases>();

function exactNumber(decimal: string): number | undefined {
  const value = Number(decimal);
  return Number.isSafeInteger(value) && String(value) === decimal ? value : undefined;
}

function bases(context: RecordBatchContext): Bases {
  let found = basesOf.get(context);
  if (found === undefined) {
    found = { offset: exactNumber(context.firstOffset), timestamp: exactNumber(context.firstTimestamp) };
    basesOf.set(context, found);
  }
  return found;
}

/** A zigzag varlong as a number when it is exact, else undefined with the decoder left where it was. */
function readSmallVarLong(decoder: KafkajsDecoder): number | undefined {
  const { buffer } = decoder;
  let position = decoder.offset;
  let unsigned = 0;
  let scale = 1;
  for (let bytes = 0; bytes < 7; bytes++) {
    const byte = buffer[position++];
    if (byte === undefined) return undefined;
    unsigned += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      decoder.offset = position;
      // unsigned < 2^49: zigzag back to the signed value exactly.
      return unsigned % 2 === 0 ? unsigned / 2 : -(unsigned + 1) / 2;
    }
    scale *= 128;
  }
  return undefined;
}

function sum(base: number | undefined, decimalBase: string, delta: number | undefined, readDelta: () => { toString(): string }): string {
  if (base !== undefined && delta !== undefined) {
    const total = base + delta;
    if (Number.isSafeInteger(total)) return String(total);
  }
  return (BigInt(decimalBase) + BigInt((delta ?? readDelta()).toString())).toString();
}

function defineHeader(headers: Record<string, unknown>, key: string, value: Buffer | null): void {
  const existing = headers[key];
  const next = existing === undefined || !Object.hasOwn(headers, key) ? value : Array.isArray(existing) ? existing.concat([value]) : [existing, value];
  // An own "__proto__" header must stay a plain property, as kafkajs' object spread makes it.
  Object.defineProperty(headers, key, { value: next, enumerable: true, writable: true, configurable: true });
}

export function decodeRecordV0(decoder: KafkajsDecoder, batchContext: RecordBatchContext = { firstOffset: '0', firstTimestamp: '0' }) {
  const { magicByte, isControlBatch = false, timestampType, maxTimestamp } = batchContext;
  const { offset: offsetBase, timestamp: timestampBase } = bases(batchContext);
  const attributes = decoder.readInt8();

  const timestampDelta = readSmallVarLong(decoder);
  const bigTimestampDelta = timestampDelta === undefined ? decoder.readVarLong() : undefined;
  const timestamp =
    timestampType === LOG_APPEND_TIME && maxTimestamp
      ? maxTimestamp
      : sum(timestampBase, batchContext.firstTimestamp, timestampDelta, () => bigTimestampDelta as { toString(): string });

  const offsetDelta = decoder.readVarInt();
  const offset = sum(offsetBase, batchContext.firstOffset, offsetDelta, () => String(offsetDelta));

  const key = decoder.readVarIntBytes();
  const value = decoder.readVarIntBytes();
  const headers: Record<string, unknown> = {};
  const headerCount = decoder.readVarInt();
  for (let i = 0; i < headerCount; i++) {
    const headerKey = decoder.readVarIntString() as string;
    defineHeader(headers, headerKey, decoder.readVarIntBytes());
  }

  return {
    magicByte,
    attributes,
    timestamp,
    offset,
    key,
    value,
    headers,
    isControlRecord: isControlBatch,
    batchContext,
  };
}
