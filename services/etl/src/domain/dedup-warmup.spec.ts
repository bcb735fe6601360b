import { describe, expect, it } from 'vitest';
import { rawRecord } from '../testing/raw-event-fixtures.js';
import { DedupWarmup, type SeenMessage, type SeenMessageSource } from './dedup-warmup.js';
import { DedupWindow } from './dedup-window.js';

class MemorySeenMessages implements SeenMessageSource {
  readonly reads: Array<[number, bigint, bigint]> = [];
  constructor(private readonly byPartition: Record<number, SeenMessage[]>) {}
  async seenBefore(_topic: string, partition: number, from: bigint, before: bigint) {
    this.reads.push([partition, from, before]);
    return (this.byPartition[partition] ?? []).filter((m) => BigInt(m.offset) >= from && BigInt(m.offset) < before);
  }
}

const batchAt = (partition: number, first: number, count: number) => ({
  topic: 't',
  partition,
  records: Array.from({ length: count }, (_, i) => rawRecord(null, { topic: 't', partition, offset: String(first + i) })),
});

describe('DedupWarmup', () => {
  it('loads the messageIds accepted before the first batch, so a retry of one is a duplicate after a restart', async () => {
    const source = new MemorySeenMessages({ 2: [{ tenant: 'bank', messageId: 'm-1', offset: '40' }, { tenant: 'bank', messageId: 'm-old', offset: '5' }] });
    const window = new DedupWindow(100);
    const warmup = new DedupWarmup(source, window, 50);
    expect(await warmup.prepare(batchAt(2, 60, 3))).toBe(1);
    expect(source.reads).toEqual([[2, 10n, 60n]]);
    expect(window.isDuplicate('bank', 'm-1', 't/2/61')).toBe(true);
    // The first copy redelivered at its own coordinates is not a duplicate of itself.
    expect(window.isDuplicate('bank', 'm-1', 't/2/40')).toBe(false);
    // Beyond the depth: forgotten, as the in-memory window forgets.
    expect(window.isDuplicate('bank', 'm-old', 't/2/62')).toBe(false);
  });

  it('reads once per take-over: not for a batch that continues the partition, again after a gap or a redelivery', async () => {
    const source = new MemorySeenMessages({});
    const warmup = new DedupWarmup(source, new DedupWindow(100), 1000);
    await warmup.prepare(batchAt(1, 100, 10));
    warmup.handled(batchAt(1, 100, 10));
    await warmup.prepare(batchAt(1, 110, 10));
    warmup.handled(batchAt(1, 110, 10));
    // Another member handled 120..199 while a rebalance had the partition elsewhere.
    await warmup.prepare(batchAt(1, 200, 10));
    // The batch failed and comes back: read again (harmless, the same entries).
    await warmup.prepare(batchAt(1, 200, 10));
    expect(source.reads).toEqual([
      [1, 0n, 100n],
      [1, 0n, 200n],
      [1, 0n, 200n],
    ]);
  });

  it('does nothing with a depth of 0 or at offset 0', async () => {
    const source = new MemorySeenMessages({});
    expect(await new DedupWarmup(source, new DedupWindow(10), 0).prepare(batchAt(0, 500, 1))).toBe(0);
    expect(await new DedupWarmup(source, new DedupWindow(10), 10).prepare(batchAt(0, 0, 1))).toBe(0);
    expect(source.reads).toEqual([]);
  });
});
