import { PAGE_SLOTS, SlotArena } from './slot-arena.js';
import { COL, HEADER_MIN_CAPACITY, REC, type FeaturePlan, type ViewLayout } from './view-layout.js';
import type { WindowAccumulator } from './window-accumulator.js';

const NONE = -1;
/** Largest bucket record; a busier bucket continues in another record with the same start. */
const MAX_CAPACITY = 4096;

/**
 * The events of one view for every entity: per entity a list of bucket records, newest bucket
 * first, in the shared arena. A record holds the bucket's pre-aggregates (header) and its events
 * (rows) in arrival order. Late events go into their own (older) bucket.
 */
export class ViewSeries {
  heads: Float64Array;
  readonly #maxCapacity: number;

  constructor(
    readonly layout: ViewLayout,
    private readonly arena: SlotArena,
    capacity: number,
  ) {
    this.heads = new Float64Array(capacity).fill(NONE);
    this.#maxCapacity = Math.max(HEADER_MIN_CAPACITY, Math.min(MAX_CAPACITY, Math.floor((PAGE_SLOTS - layout.headerSize) / layout.rowStride)));
  }

  grow(capacity: number): void {
    const heads = new Float64Array(capacity).fill(NONE);
    heads.set(this.heads);
    this.heads = heads;
  }

  isEmpty(entity: number): boolean {
    return this.heads[entity] === NONE;
  }

  /** Adds one event; `values` holds one slot per layout column (NaN / -1 when absent). */
  add(entity: number, timeMs: number, values: ArrayLike<number>): void {
    const bucketMs = this.layout.bucketMs;
    const start = Math.floor(timeMs / bucketMs) * bucketMs;
    let previous = NONE;
    let record = this.heads[entity]!;
    while (record !== NONE && this.#slot(record, REC.start) > start) {
      previous = record;
      record = this.#slot(record, REC.next);
    }
    if (record === NONE || this.#slot(record, REC.start) !== start) {
      record = this.#link(entity, previous, this.#newRecord(start, 1, record));
    } else if (this.#slot(record, REC.count) === this.#slot(record, REC.capacity)) {
      const capacity = this.#slot(record, REC.capacity);
      record =
        capacity < this.#maxCapacity
          ? this.#link(entity, previous, this.#grown(record, Math.min(capacity * 2, this.#maxCapacity)))
          : this.#link(entity, previous, this.#newRecord(start, this.#maxCapacity, record));
    }
    this.#append(record, timeMs, values);
  }

  /**
   * Gathers the contributions of [lo, hi) into `acc`: bucket headers for buckets wholly inside, rows
   * for the buckets an edge cuts (and for distinct_count, whose members only rows hold).
   */
  accumulate(entity: number, plan: FeaturePlan, lo: number, hi: number, acc: WindowAccumulator): void {
    const { bucketMs, headerSize, rowStride } = this.layout;
    const rowsOnly = plan.aggregation === 'distinct_count';
    for (let record = this.heads[entity]!; record !== NONE; ) {
      const page = this.arena.page(record);
      const o = SlotArena.offset(record);
      const start = page[o + REC.start]!;
      const next = page[o + REC.next]!;
      if (start + bucketMs <= lo) break;
      if (start < hi) {
        const rows = this.layout.rowsOffset(page[o + REC.capacity]!);
        if (!rowsOnly && rows === headerSize && start >= lo && start + bucketMs <= hi) mergeHeader(page, o, plan, headerSize, rowStride, acc);
        else mergeRows(page, o, plan, rows, rowStride, lo, hi, acc);
      }
      record = next;
    }
  }

  /** Frees the entity's buckets that end at or before `cutoff`; true when none is left. */
  evict(entity: number, cutoff: number): boolean {
    const bucketMs = this.layout.bucketMs;
    let previous = NONE;
    let record = this.heads[entity]!;
    while (record !== NONE && this.#slot(record, REC.start) + bucketMs > cutoff) {
      previous = record;
      record = this.#slot(record, REC.next);
    }
    if (record !== NONE) {
      if (previous === NONE) this.heads[entity] = NONE;
      else this.#setSlot(previous, REC.next, NONE);
      while (record !== NONE) {
        const next = this.#slot(record, REC.next);
        this.arena.free(record, this.layout.recordSize(this.#slot(record, REC.capacity)));
        record = next;
      }
    }
    return this.heads[entity] === NONE;
  }

  #slot(record: number, field: number): number {
    return this.arena.page(record)[SlotArena.offset(record) + field]!;
  }

  #setSlot(record: number, field: number, value: number): void {
    this.arena.page(record)[SlotArena.offset(record) + field] = value;
  }

  #link(entity: number, previous: number, record: number): number {
    if (previous === NONE) this.heads[entity] = record;
    else this.#setSlot(previous, REC.next, record);
    return record;
  }

  #newRecord(start: number, capacity: number, next: number): number {
    const record = this.arena.allocate(this.layout.recordSize(capacity));
    const page = this.arena.page(record);
    const o = SlotArena.offset(record);
    page[o + REC.start] = start;
    page[o + REC.next] = next;
    page[o + REC.capacity] = capacity;
    page[o + REC.count] = 0;
    if (capacity >= HEADER_MIN_CAPACITY) this.#initHeaders(page, o);
    return record;
  }

  #initHeaders(page: Float64Array, o: number): void {
    initBlock(page, o + REC.count, false);
    for (const column of this.layout.columns) initBlock(page, o + column.headerOffset, column.kind === 'numeric');
  }

  /** A bigger copy of `record`, which is freed; the copy gets headers once it is big enough. */
  #grown(record: number, capacity: number): number {
    const { layout } = this;
    const oldCapacity = this.#slot(record, REC.capacity);
    const count = this.#slot(record, REC.count);
    const copy = this.arena.allocate(layout.recordSize(capacity));
    const from = this.arena.page(record);
    const f = SlotArena.offset(record);
    const to = this.arena.page(copy);
    const t = SlotArena.offset(copy);
    const oldRows = layout.rowsOffset(oldCapacity);
    const newRows = layout.rowsOffset(capacity);
    if (oldRows === newRows) {
      to.set(from.subarray(f, f + oldRows + count * layout.rowStride), t);
      to[t + REC.capacity] = capacity;
    } else {
      to[t + REC.start] = from[f + REC.start]!;
      to[t + REC.next] = from[f + REC.next]!;
      to[t + REC.capacity] = capacity;
      this.#initHeaders(to, t);
      to[t + REC.count] = 0;
      for (let row = 0; row < count; row += 1) {
        const base = f + oldRows + row * layout.rowStride;
        this.#append(copy, from[base]!, from.subarray(base + 1, base + layout.rowStride));
      }
    }
    this.arena.free(record, layout.recordSize(oldCapacity));
    return copy;
  }

  #append(record: number, timeMs: number, values: ArrayLike<number>): void {
    const page = this.arena.page(record);
    const o = SlotArena.offset(record);
    const row = page[o + REC.count]!;
    const rows = this.layout.rowsOffset(page[o + REC.capacity]!);
    const base = o + rows + row * this.layout.rowStride;
    page[base] = timeMs;
    const columns = this.layout.columns;
    for (let c = 0; c < columns.length; c += 1) page[base + 1 + c] = values[c]!;
    if (rows !== this.layout.headerSize) {
      page[o + REC.count] = row + 1;
      return;
    }
    noteContribution(page, o + REC.count, row, timeMs);
    for (let c = 0; c < columns.length; c += 1) {
      const value = values[c]!;
      const column = columns[c]!;
      const h = o + column.headerOffset;
      if (column.kind === 'numeric') {
        if (Number.isNaN(value)) continue;
        page[h + COL.sum] = page[h + COL.sum]! + value;
        if (value < page[h + COL.min]!) page[h + COL.min] = value;
        if (value > page[h + COL.max]!) page[h + COL.max] = value;
      } else if (value === NONE) {
        continue;
      }
      noteContribution(page, h, row, timeMs);
    }
  }
}

function initBlock(page: Float64Array, h: number, numeric: boolean): void {
  page[h + COL.n] = 0;
  page[h + COL.lastTime] = -Infinity;
  page[h + COL.lastRow] = NONE;
  if (numeric) {
    page[h + COL.sum] = 0;
    page[h + COL.min] = Infinity;
    page[h + COL.max] = -Infinity;
  }
}

function noteContribution(page: Float64Array, h: number, row: number, timeMs: number): void {
  page[h + COL.n] = page[h + COL.n]! + 1;
  // Ties go to the later arrival: `>=`.
  if (timeMs >= page[h + COL.lastTime]!) {
    page[h + COL.lastTime] = timeMs;
    page[h + COL.lastRow] = row;
  }
}

function mergeHeader(page: Float64Array, o: number, plan: FeaturePlan, headerSize: number, rowStride: number, acc: WindowAccumulator): void {
  const h = o + plan.headerOffset;
  const n = page[h + COL.n]!;
  if (n === 0) return;
  acc.n += n;
  const lastTime = page[h + COL.lastTime]!;
  // Records are visited newest first, so on equal times the one already held arrived later.
  if (lastTime > acc.lastTime) {
    acc.lastTime = lastTime;
    acc.lastCode = plan.column === -1 ? NONE : page[o + headerSize + page[h + COL.lastRow]! * rowStride + 1 + plan.column]!;
  }
  if (plan.numeric) {
    acc.sum += page[h + COL.sum]!;
    if (page[h + COL.min]! < acc.min) acc.min = page[h + COL.min]!;
    if (page[h + COL.max]! > acc.max) acc.max = page[h + COL.max]!;
  }
}

function mergeRows(page: Float64Array, o: number, plan: FeaturePlan, headerSize: number, rowStride: number, lo: number, hi: number, acc: WindowAccumulator): void {
  const count = page[o + REC.count]!;
  const column = plan.column;
  const valueSlot = 1 + column;
  const distinct = plan.aggregation === 'distinct_count';
  let recordLast = -Infinity;
  let recordCode = NONE;
  for (let row = 0, base = o + headerSize; row < count; row += 1, base += rowStride) {
    const time = page[base]!;
    if (time < lo || time >= hi) continue;
    let value = NONE;
    if (column !== -1) {
      value = page[base + valueSlot]!;
      if (plan.numeric) {
        if (Number.isNaN(value)) continue;
        acc.sum += value;
        if (value < acc.min) acc.min = value;
        if (value > acc.max) acc.max = value;
      } else if (value === NONE) {
        continue;
      } else if (distinct) {
        acc.distinct.add(value);
      }
    }
    acc.n += 1;
    if (time >= recordLast) {
      recordLast = time;
      recordCode = value;
    }
  }
  if (recordLast > acc.lastTime) {
    acc.lastTime = recordLast;
    acc.lastCode = recordCode;
  }
}
