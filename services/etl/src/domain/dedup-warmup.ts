import { coordinatesOf, type DedupWindow } from './dedup-window.js';
import type { RawBatch } from './raw-record.js';

/** A messageId accepted earlier, with the offset it was accepted at. */
export interface SeenMessage {
  readonly tenant: string;
  readonly messageId: string;
  readonly offset: string;
}

/** Where accepted messageIds are kept across restarts (the warehouse's `etl_message_ids`). */
export interface SeenMessageSource {
  /** Accepted messageIds of one partition at offsets in [fromOffset, beforeOffset). */
  seenBefore(topic: string, partition: number, fromOffset: bigint, beforeOffset: bigint): Promise<readonly SeenMessage[]>;
}

/**
 * Fills the in-memory dedup window from the warehouse whenever this process takes a partition over:
 * the first batch after start-up, and any batch that does not continue where this process left the
 * partition (a rebalance gave it to another member in between, or a batch is redelivered). It loads
 * the messageIds accepted in the `depth` offsets before the batch, so a client retry whose first
 * copy was processed by an earlier run, or by another member, is still dropped as a duplicate.
 * Only offsets before the batch are loaded: records of the batch itself are decided again exactly
 * as the first time, which keeps a replay byte-identical.
 */
export class DedupWarmup {
  private readonly nextOffset = new Map<string, bigint>();

  constructor(
    private readonly source: SeenMessageSource,
    private readonly dedup: DedupWindow,
    private readonly depth: number,
  ) {}

  /** Loads the window for the batch's partition if this process does not hold it already; returns the entries loaded. */
  async prepare(batch: RawBatch): Promise<number> {
    const first = batch.records[0];
    if (first === undefined || this.depth === 0) return 0;
    const start = BigInt(first.offset);
    if (this.nextOffset.get(partitionOf(batch)) === start) return 0;
    const from = start - BigInt(this.depth) > 0n ? start - BigInt(this.depth) : 0n;
    const seen = start === 0n ? [] : await this.source.seenBefore(batch.topic, batch.partition, from, start);
    for (const message of seen) {
      this.dedup.remember(message.tenant, message.messageId, coordinatesOf({ topic: batch.topic, partition: batch.partition, offset: message.offset }));
    }
    return seen.length;
  }

  /** The batch is in every sink: the next batch of the partition continues where it ended. */
  handled(batch: RawBatch): void {
    const last = batch.records[batch.records.length - 1];
    if (last !== undefined) this.nextOffset.set(partitionOf(batch), BigInt(last.offset) + 1n);
  }
}

function partitionOf(batch: RawBatch): string {
  return `${batch.topic}\u0000${batch.partition}`;
}
