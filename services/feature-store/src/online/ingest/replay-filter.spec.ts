import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REPLAY_WINDOW_OFFSETS, ReplayFilter } from './replay-filter.js';

const raw = (offset: number, partition = 0, topic = 'events.raw') => ({ topic, partition, offset: String(offset) });

interface RawRecord {
  readonly offset: number;
  /** events.clean partition its customer hashes to. */
  readonly cleanPartition: number;
  /** The trace (collector request) it arrived with: the ETL sends a batch's records grouped by it. */
  readonly trace: number;
}

/**
 * What the ETL puts on each events.clean partition for one raw partition: batches from the
 * committed offset, each batch's records grouped by trace and the groups' chunks interleaved in
 * any order (TopicWriter sends the groups concurrently); an attempt may fail after some chunks,
 * and is then redelivered from the same committed offset with other bounds.
 */
function etlOutput(records: readonly RawRecord[], choices: readonly number[], cleanPartitions: number): number[][] {
  const logs: number[][] = Array.from({ length: cleanPartitions }, () => []);
  let choice = 0;
  const next = (bound: number) => (bound <= 1 ? 0 : choices[choice++ % choices.length]! % bound);
  let committed = 0;
  let attempts = 0;
  while (committed < records.length && attempts < 200) {
    attempts += 1;
    let end = Math.min(records.length, committed + 1 + next(8));
    // A raw batch spans fewer offsets than the window (the bound the filter relies on).
    while (end > committed + 1 && records[end - 1]!.offset - records[committed]!.offset >= REPLAY_WINDOW_OFFSETS) end -= 1;
    const batch = records.slice(committed, end);
    const groups = new Map<number, RawRecord[]>();
    for (const record of batch) groups.set(record.trace, [...(groups.get(record.trace) ?? []), record]);
    const chunks = [...groups.values()].map((group) => {
      const pieces: RawRecord[][] = [];
      for (let i = 0; i < group.length; ) {
        const size = 1 + next(3);
        pieces.push(group.slice(i, i + size));
        i += size;
      }
      return pieces;
    });
    const fails = next(3) === 0;
    const sendsBeforeFailure = fails ? next(chunks.reduce((n, pieces) => n + pieces.length, 0) + 1) : Infinity;
    let sent = 0;
    while (chunks.some((pieces) => pieces.length > 0) && sent < sendsBeforeFailure) {
      const open = chunks.filter((pieces) => pieces.length > 0);
      for (const record of open[next(open.length)]!.shift()!) logs[record.cleanPartition]!.push(record.offset);
      sent += 1;
    }
    if (!fails) committed += batch.length;
  }
  return logs;
}

const rawRecords = fc
  .array(fc.record({ gap: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: Math.floor(REPLAY_WINDOW_OFFSETS / 3) })), cleanPartition: fc.nat(2), trace: fc.nat(3) }), { minLength: 1, maxLength: 40 })
  .map((drafts) => {
    let offset = -1;
    return drafts.map(({ gap, cleanPartition, trace }) => ({ offset: (offset += gap), cleanPartition, trace }));
  });

describe('ReplayFilter', () => {
  it('admits every raw record once, whatever the ETL’s batching, trace grouping and replays put on events.clean', () => {
    fc.assert(
      fc.property(rawRecords, fc.array(fc.nat(1000), { minLength: 1, maxLength: 200 }), (records, choices) => {
        const filter = new ReplayFilter();
        etlOutput(records, choices, 3).forEach((log, partition) => {
          const admitted = log.filter((offset) => filter.admit(partition, raw(offset)));
          expect(new Set(admitted).size).toBe(admitted.length);
          expect(new Set(admitted)).toEqual(new Set(log));
        });
      }),
      { numRuns: 500 },
    );
  });

  it('admits an offset below the highest one seen (a batch sent grouped by trace), but not twice', () => {
    const filter = new ReplayFilter();
    expect([10, 12, 11, 12, 10, 13].map((offset) => filter.admit(0, raw(offset)))).toEqual([true, true, true, false, false, true]);
  });

  it('keeps raw partitions, raw topics and events.clean partitions apart', () => {
    const filter = new ReplayFilter();
    expect(filter.admit(0, raw(5))).toBe(true);
    expect(filter.admit(1, raw(5))).toBe(true);
    expect(filter.admit(0, raw(5, 1))).toBe(true);
    expect(filter.admit(0, raw(5, 0, 'other.raw'))).toBe(true);
    expect(filter.admit(0, raw(5))).toBe(false);
    expect(filter.size).toBe(4);
  });

  it('treats offsets a whole window below the highest as replays, and forgets slots the window moved past', () => {
    const filter = new ReplayFilter();
    expect(filter.admit(0, raw(7))).toBe(true);
    expect(filter.admit(0, raw(7 + REPLAY_WINDOW_OFFSETS))).toBe(true); // same slot as 7
    expect(filter.admit(0, raw(7))).toBe(false);
    expect(filter.admit(0, raw(8))).toBe(true); // still inside the window, not seen
    expect(filter.admit(0, raw(8 + REPLAY_WINDOW_OFFSETS))).toBe(true);
  });

  it('restores what it exported', () => {
    const filter = new ReplayFilter();
    for (const offset of [3, 9, 4]) filter.admit(2, raw(offset, 1));
    const { records, bitmaps } = filter.export();
    expect(records).toEqual([{ partition: 2, rawTopic: 'events.raw', rawPartition: 1, maxOffset: 9 }]);
    const restored = ReplayFilter.restore(records, bitmaps);
    expect([3, 4, 5, 9, 10].map((offset) => restored.admit(2, raw(offset, 1)))).toEqual([false, false, true, false, true]);
  });
});
