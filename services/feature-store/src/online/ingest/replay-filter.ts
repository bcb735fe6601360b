import type { KafkaCoordinates } from '@kuroshio/contracts';

/**
 * Raw offsets remembered below the highest one applied, per (events.clean partition, raw topic,
 * raw partition). A redelivered raw batch restarts at the ETL's committed offset, so a replayed
 * record is never more than one raw batch's offset span below the highest raw offset already
 * applied; 2^17 leaves room for the ETL's default 4 MiB fetches of records of 32 bytes or more (see
 * ADR 0015, "Replays of events.clean"). 16 KiB per (clean partition, raw partition) pair.
 */
export const REPLAY_WINDOW_OFFSETS = 1 << 17;
export const REPLAY_WINDOW_BYTES = REPLAY_WINDOW_OFFSETS / 8;
const WINDOW_BYTES = REPLAY_WINDOW_BYTES;

/** One pair's window, as a snapshot stores it (the bitmap goes to the binary part). */
export interface ReplayWindowRecord {
  readonly partition: number;
  readonly rawTopic: string;
  readonly rawPartition: number;
  readonly maxOffset: number;
}

class RawOffsetWindow {
  constructor(
    /** Highest raw offset applied. */
    public max: number,
    /** Bit `offset % REPLAY_WINDOW_OFFSETS` is set when that offset in (max - window, max] was applied. */
    readonly bits: Uint8Array = new Uint8Array(WINDOW_BYTES),
  ) {}

  /** Records `offset` as applied; false when it already was (or is older than the window). */
  admit(offset: number): boolean {
    if (offset > this.max) {
      this.#forget(this.max + 1, offset);
      this.max = offset;
      this.#set(offset);
      return true;
    }
    if (offset <= this.max - REPLAY_WINDOW_OFFSETS) return false;
    if (this.#has(offset)) return false;
    this.#set(offset);
    return true;
  }

  /** Clears the bits of offsets [from, to): their slots now stand for offsets a window later. */
  #forget(from: number, to: number): void {
    if (to - from >= REPLAY_WINDOW_OFFSETS) {
      this.bits.fill(0);
      return;
    }
    for (let offset = from; offset < to; offset += 1) {
      const slot = offset % REPLAY_WINDOW_OFFSETS;
      this.bits[slot >>> 3]! &= ~(1 << (slot & 7));
    }
  }

  #has(offset: number): boolean {
    const slot = offset % REPLAY_WINDOW_OFFSETS;
    return (this.bits[slot >>> 3]! & (1 << (slot & 7))) !== 0;
  }

  #set(offset: number): void {
    const slot = offset % REPLAY_WINDOW_OFFSETS;
    this.bits[slot >>> 3]! |= 1 << (slot & 7);
  }
}

/**
 * Drops events.clean records the ETL produced again when it replayed a raw batch: such a record
 * carries the same `processing.raw` coordinates as its first copy. Keyed per events.clean partition
 * because partitions are consumed independently; within one, records of a raw partition arrive in
 * raw-offset order only batch by batch (the ETL sends a batch's records grouped by trace,
 * concurrently), hence a window of offsets rather than only the highest. Memory is per partition
 * pair, not per entity.
 */
export class ReplayFilter {
  readonly #windows = new Map<number, Map<string, RawOffsetWindow>>();

  /** Whether this record is seen for the first time (and remembers it); false for a replay. */
  admit(partition: number, raw: KafkaCoordinates): boolean {
    let byRaw = this.#windows.get(partition);
    if (byRaw === undefined) {
      byRaw = new Map();
      this.#windows.set(partition, byRaw);
    }
    // Kafka offsets stay far below 2^53 in practice; Number keeps the per-record path cheap.
    const offset = Number(raw.offset);
    const key = `${raw.partition}/${raw.topic}`;
    let window = byRaw.get(key);
    if (window === undefined) {
      window = new RawOffsetWindow(-1);
      byRaw.set(key, window);
    }
    return window.admit(offset);
  }

  /** Every pair's highest offset, and its bitmap in the same order (for a snapshot). */
  export(): { records: ReplayWindowRecord[]; bitmaps: Uint8Array[] } {
    const records: ReplayWindowRecord[] = [];
    const bitmaps: Uint8Array[] = [];
    for (const [partition, byRaw] of this.#windows) {
      for (const [key, window] of byRaw) {
        const slash = key.indexOf('/');
        records.push({ partition, rawPartition: Number(key.slice(0, slash)), rawTopic: key.slice(slash + 1), maxOffset: window.max });
        bitmaps.push(window.bits);
      }
    }
    return { records, bitmaps };
  }

  static restore(records: readonly ReplayWindowRecord[], bitmaps: readonly Uint8Array[]): ReplayFilter {
    const filter = new ReplayFilter();
    records.forEach((record, i) => {
      const bits = bitmaps[i];
      if (bits?.length !== WINDOW_BYTES) throw new Error(`replay window ${i} has ${bits?.length ?? 0} bytes, expected ${WINDOW_BYTES}`);
      let byRaw = filter.#windows.get(record.partition);
      if (byRaw === undefined) {
        byRaw = new Map();
        filter.#windows.set(record.partition, byRaw);
      }
      byRaw.set(`${record.rawPartition}/${record.rawTopic}`, new RawOffsetWindow(record.maxOffset, bits));
    });
    return filter;
  }

  /** Pairs held (one window each). */
  get size(): number {
    let size = 0;
    for (const byRaw of this.#windows.values()) size += byRaw.size;
    return size;
  }
}
