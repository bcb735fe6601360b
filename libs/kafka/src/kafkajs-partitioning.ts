import { createRequire } from 'node:module';
import { cacheExports, type ReplacementStatus } from './kafkajs-encoding.js';

/**
 * Linear-time partitioning for kafkajs' producer, the largest cost left in a coalesced send once
 * encoding was cheaper (docs/decisions/0010-collector-performance.md):
 *
 * - kafkajs groups a send's messages per partition with `[...current, message]` for every message:
 *   quadratic in the messages per partition (a 3 000-event send copies ~400 000 array slots), and
 *   ~12% of everything the collector allocated under batched load.
 * - Its Java-compatible murmur2 computes with a `Long` object per step (~17% of the allocations),
 *   and its partitioner filters the partition list once per message, even for keyed messages.
 *
 * The replacements compute the same thing: the same partition for every key (murmur2 with 32-bit
 * `Math.imul`, as Java's `Utils.murmur2` does), the same grouping in message order, and kafkajs' own
 * partitioner for messages without a key or with an explicit partition. kafkajs has no option for
 * grouping, so both modules go into the require cache before kafkajs loads them (the same technique
 * as kafkajs-encoding.ts): kafka-client.ts imports this module before kafkajs, so every producer of
 * the platform (collector, etl, inference, experiment) gets it. Each is checked against
 * kafkajs' own code before it is installed; if kafkajs was already loaded or the files moved in an
 * upgrade, nothing is replaced (slower, equally correct). kafkajs-partitioning.spec.ts holds the
 * equivalence with fast-check.
 */
const require = createRequire(import.meta.url);

export const KAFKAJS_GROUPING_MODULE = 'kafkajs/src/producer/groupMessagesPerPartition.js';
export const KAFKAJS_DEFAULT_PARTITIONER_MODULE = 'kafkajs/src/producer/partitioners/default/index.js';
const KAFKAJS_MURMUR2_MODULE = 'kafkajs/src/producer/partitioners/default/murmur2.js';
const KAFKAJS_PARTITIONER_FACTORY_MODULE = 'kafkajs/src/producer/partitioners/legacy/partitioner.js';

export type Key = string | Buffer;
export interface PartitionMetadata {
  readonly partitionId: number;
  readonly leader: number;
}
/** The fields of a kafkajs message that decide its partition. */
export interface KafkajsMessage {
  readonly key?: Key | null;
  readonly partition?: number | null;
  readonly value?: unknown;
}
export interface PartitionerArgs {
  readonly topic: string;
  readonly partitionMetadata: readonly PartitionMetadata[];
  readonly message: KafkajsMessage;
}
export type Partitioner = (args: PartitionerArgs) => number;
type GroupingArgs = Omit<PartitionerArgs, 'message'> & { readonly messages: readonly KafkajsMessage[]; readonly partitioner: Partitioner };

const M = 0x5bd1e995;
const SEED = 0x9747b28c;
const scratch = Buffer.allocUnsafe(1024);

/** Kafka's murmur2 (Java `Utils.murmur2`, kafkajs' DefaultPartitioner) over the key's UTF-8 bytes. */
export function murmur2(key: Key): number {
  let data: Buffer;
  let length: number;
  if (Buffer.isBuffer(key)) {
    data = key;
    length = key.length;
  } else {
    const text = String(key);
    // A key that might not fit the scratch buffer is encoded on its own (UTF-8 is at most 3 bytes per UTF-16 unit).
    data = text.length * 3 <= scratch.length ? scratch : Buffer.from(text, 'utf8');
    length = data === scratch ? scratch.write(text, 0, 'utf8') : data.length;
  }
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data.readInt32LE(i);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= data.readUInt8(whole + 2) << 16;
  if (rest >= 2) h ^= data.readUInt8(whole + 1) << 8;
  if (rest >= 1) h = Math.imul(h ^ data.readUInt8(whole), M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** kafkajs' grouping, in one pass: `{ [partition]: messages in send order }`. */
export function groupMessagesPerPartition({ topic, partitionMetadata, messages, partitioner }: GroupingArgs): Record<number, KafkajsMessage[]> {
  const grouped: Record<number, KafkajsMessage[]> = {};
  if (partitionMetadata.length === 0) return grouped;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    const current = grouped[partition];
    if (current === undefined) grouped[partition] = [message];
    else current.push(message);
  }
  return grouped;
}

type PartitionerFactory = (hash: (key: Key) => number) => () => Partitioner;

/** kafkajs' DefaultPartitioner, with the keyed case decided without allocating. */
function defaultPartitioner(ownFactory: PartitionerFactory): () => Partitioner {
  return () => {
    // kafkajs' own partitioner for explicit partitions and keyless messages (its per-topic counters).
    const fallback = ownFactory(murmur2)();
    return (args) => {
      const { message, partitionMetadata } = args;
      if ((message.partition === null || message.partition === undefined) && message.key !== null && message.key !== undefined) {
        return (murmur2(message.key) & 0x7fffffff) % partitionMetadata.length;
      }
      return fallback(args);
    };
  };
}

const SAMPLE_KEYS: readonly Key[] = ['', 'a', 'ab', 'abc', 'abcd', 'cust-42', 'anon-ä-日本-🙂', 'x'.repeat(400), Buffer.from([0, 255, 128, 7, 9]), 'y'.repeat(1500)];

function install(): ReplacementStatus {
  let grouping: string;
  let partitioner: string;
  let ownMurmur2: (key: Key) => number;
  let ownFactory: PartitionerFactory;
  try {
    grouping = require.resolve(KAFKAJS_GROUPING_MODULE);
    partitioner = require.resolve(KAFKAJS_DEFAULT_PARTITIONER_MODULE);
    if (require.cache[grouping] !== undefined || require.cache[partitioner] !== undefined) return 'kafkajs-already-loaded';
    // Neither loads the modules being replaced.
    ownMurmur2 = require(require.resolve(KAFKAJS_MURMUR2_MODULE)) as (key: Key) => number;
    ownFactory = require(require.resolve(KAFKAJS_PARTITIONER_FACTORY_MODULE)) as PartitionerFactory;
  } catch {
    return 'unavailable';
  }
  if (typeof ownMurmur2 !== 'function' || typeof ownFactory !== 'function') return 'unavailable';
  if (!SAMPLE_KEYS.every((key) => murmur2(key) === ownMurmur2(key))) return 'unavailable';
  cacheExports(grouping, groupMessagesPerPartition);
  cacheExports(partitioner, defaultPartitioner(ownFactory));
  return 'installed';
}

export const kafkajsPartitioning: ReplacementStatus = install();
