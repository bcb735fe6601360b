/**
 * Entity id → dense slot number, which indexes every view's per-entity arrays. Slots of dropped
 * entities are reused. One Map entry plus the id string is the only per-entity JS object cost.
 */
export class EntityIndex {
  readonly #slots = new Map<string, number>();
  #ids: (string | undefined)[] = [];
  readonly #free: number[] = [];

  get size(): number {
    return this.#slots.size;
  }

  /** Slots handed out so far (including freed ones): the length per-entity arrays must cover. */
  get highWater(): number {
    return this.#ids.length;
  }

  slotOf(id: string): number | undefined {
    return this.#slots.get(id);
  }

  idAt(slot: number): string | undefined {
    return this.#ids[slot];
  }

  /** The entity's slot, adding it if new. */
  intern(id: string): number {
    const existing = this.#slots.get(id);
    if (existing !== undefined) return existing;
    const slot = this.#free.pop() ?? this.#ids.length;
    this.#ids[slot] = id;
    this.#slots.set(id, slot);
    return slot;
  }

  release(slot: number): void {
    const id = this.#ids[slot];
    if (id === undefined) return;
    this.#slots.delete(id);
    this.#ids[slot] = undefined;
    this.#free.push(slot);
  }

  /** Ids by slot (undefined for free slots), for a snapshot. */
  ids(): readonly (string | undefined)[] {
    return this.#ids;
  }

  static restore(ids: readonly (string | null | undefined)[]): EntityIndex {
    const index = new EntityIndex();
    ids.forEach((id, slot) => {
      if (id === null || id === undefined) {
        index.#ids[slot] = undefined;
        index.#free.push(slot);
      } else {
        index.#ids[slot] = id;
        index.#slots.set(id, slot);
      }
    });
    return index;
  }
}
