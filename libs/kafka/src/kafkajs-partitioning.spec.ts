import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  KAFKAJS_DEFAULT_PARTITIONER_MODULE,
  KAFKAJS_GROUPING_MODULE,
  groupMessagesPerPartition,
  kafkajsPartitioning,
  murmur2,
  type KafkajsMessage,
  type Key,
  type PartitionMetadata,
  type Partitioner,
} from './kafkajs-partitioning.js';

const require = createRequire(import.meta.url);

type Message = KafkajsMessage & { value: string };
const ownMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Key) => number;
const ownPartitionerFactory = require('kafkajs/src/producer/partitioners/legacy/partitioner.js') as (hash: (key: Key) => number) => () => Partitioner;

/** kafkajs 2.2.4's own grouping, kept here to compare with (the module itself is replaced in the cache). */
function ownGrouping({ topic, partitionMetadata, messages, partitioner }: { topic: string; partitionMetadata: readonly PartitionMetadata[]; messages: Message[]; partitioner: Partitioner }) {
  if (partitionMetadata.length === 0) return {};
  return messages.reduce<Record<number, Message[]>>((result, message) => {
    const partition = partitioner({ topic, partitionMetadata, message });
    const current = result[partition] ?? [];
    return Object.assign(result, { [partition]: [...current, message] });
  }, {});
}

const key = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 400 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
);

const metadata = fc.integer({ min: 1, max: 24 }).map((count) => Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 0 })));

describe('kafkajs partitioning replacements', () => {
  it('are installed (kafka-client.ts loads this module before kafkajs)', () => {
    expect(kafkajsPartitioning).toBe('installed');
    expect(require(KAFKAJS_GROUPING_MODULE)).toBe(groupMessagesPerPartition);
  });

  it('hash every key as kafkajs (and the Java client) do', () => {
    // Java's Utils.murmur2 of "21" is -973932308; kafkajs' own test vector.
    expect(murmur2('21')).toBe(-973932308);
    expect(murmur2('x'.repeat(5000))).toBe(ownMurmur2('x'.repeat(5000)));
    fc.assert(fc.property(key, (value) => murmur2(value) === ownMurmur2(value)), { numRuns: 2000 });
  });

  it('put every keyed message on the partition kafkajs DefaultPartitioner chooses', () => {
    const replaced = (require(KAFKAJS_DEFAULT_PARTITIONER_MODULE) as () => Partitioner)();
    const own = ownPartitionerFactory(ownMurmur2)();
    fc.assert(
      fc.property(metadata, key, (partitionMetadata, messageKey) => {
        const message = { key: messageKey, value: 'v' };
        return replaced({ topic: 't', partitionMetadata, message }) === own({ topic: 't', partitionMetadata, message });
      }),
    );
    expect(replaced({ topic: 't', partitionMetadata: [{ partitionId: 0, leader: 0 }, { partitionId: 1, leader: 0 }], message: { key: 'k', partition: 1, value: 'v' } })).toBe(1);
    // Keyless messages still go round-robin over the partitions that have a leader.
    const available = [{ partitionId: 0, leader: -1 }, { partitionId: 1, leader: 0 }, { partitionId: 2, leader: -1 }];
    for (let i = 0; i < 5; i += 1) expect(replaced({ topic: 't', partitionMetadata: available, message: { value: 'v' } })).toBe(1);
  });

  it('group the messages of a send exactly as kafkajs does, in send order', () => {
    const partitioner = ownPartitionerFactory(ownMurmur2)();
    const messages = fc.array(
      fc.record({ key: fc.option(key, { nil: null }), partition: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }), value: fc.string({ maxLength: 5 }) }),
      { maxLength: 300 },
    );
    fc.assert(
      fc.property(metadata, messages, (partitionMetadata, batch) => {
        // Explicit partitions must exist; keyless messages go round-robin, so both sides share one partitioner.
        const valid = batch.filter((message) => message.partition === undefined || message.partition < partitionMetadata.length);
        const keyed = valid.filter((message) => message.key !== null || message.partition !== undefined);
        const args = { topic: 't', partitionMetadata, messages: keyed, partitioner };
        expect(groupMessagesPerPartition(args)).toEqual(ownGrouping(args));
      }),
    );
    expect(groupMessagesPerPartition({ topic: 't', partitionMetadata: [], messages: [{ key: 'k', value: 'v' }], partitioner })).toEqual({});
  });
});
