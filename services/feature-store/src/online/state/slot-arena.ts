/** Slots per page: 2^20 float64 = 8 MiB. A record never spans two pages. */
export const PAGE_BITS = 20;
export const PAGE_SLOTS = 1 << PAGE_BITS;

export interface ArenaLayout {
  readonly pageCount: number;
  readonly top: number;
  readonly free: readonly (readonly [number, readonly number[]])[];
  readonly liveSlots: number;
}

/**
 * Fixed-size records in pages of Float64Array, addressed by a plain number (page << 20 | offset).
 * Millions of small per-entity records cost one typed array per 8 MiB instead of one JS object
 * (and its ~100 bytes of headers) each; pages grow one at a time, so there is no doubling copy.
 * Freed records go on a free list per size and are reused first.
 */
export class SlotArena {
  readonly pages: Float64Array[] = [];
  #top = PAGE_SLOTS; // forces a first page
  readonly #free = new Map<number, number[]>();
  #liveSlots = 0;

  allocate(size: number): number {
    if (size > PAGE_SLOTS) throw new RangeError(`record of ${size} slots exceeds a page`);
    this.#liveSlots += size;
    const reused = this.#free.get(size)?.pop();
    if (reused !== undefined) return reused;
    if (this.#top + size > PAGE_SLOTS) {
      this.pages.push(new Float64Array(PAGE_SLOTS));
      this.#top = 0;
    }
    const address = (this.pages.length - 1) * PAGE_SLOTS + this.#top;
    this.#top += size;
    return address;
  }

  free(address: number, size: number): void {
    this.#liveSlots -= size;
    let list = this.#free.get(size);
    if (!list) {
      list = [];
      this.#free.set(size, list);
    }
    list.push(address);
  }

  page(address: number): Float64Array {
    return this.pages[Math.floor(address / PAGE_SLOTS)]!;
  }

  /** Offset of `address` inside its page. */
  static offset(address: number): number {
    return address % PAGE_SLOTS;
  }

  /** Bytes held by the pages (allocated, whether live or free). */
  get bytes(): number {
    return this.pages.length * PAGE_SLOTS * 8;
  }

  get liveSlots(): number {
    return this.#liveSlots;
  }

  /** The pages in use and the free lists, for a snapshot. */
  exportLayout(): ArenaLayout {
    return { pageCount: this.pages.length, top: this.#top, free: [...this.#free.entries()].map(([size, list]) => [size, [...list]]), liveSlots: this.#liveSlots };
  }

  static restore(pages: Float64Array[], layout: ArenaLayout): SlotArena {
    const arena = new SlotArena();
    arena.pages.push(...pages);
    arena.#top = pages.length === 0 ? PAGE_SLOTS : layout.top;
    for (const [size, list] of layout.free) arena.#free.set(size, [...list]);
    arena.#liveSlots = layout.liveSlots;
    return arena;
  }
}
