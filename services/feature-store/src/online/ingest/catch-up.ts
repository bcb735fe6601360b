/**
 * Whether the state has replayed a topic up to the end offsets observed at start. Offsets are the
 * next record to read per partition; until every partition reaches its target, reads are refused.
 */
export class CatchUp {
  readonly #applied = new Map<number, bigint>();
  readonly #targets = new Map<number, bigint>();
  #caughtUp = false;

  constructor(starts: ReadonlyMap<number, bigint>, targets: ReadonlyMap<number, bigint>) {
    for (const [partition, offset] of starts) this.#applied.set(partition, offset);
    for (const [partition, offset] of targets) this.#targets.set(partition, offset);
    this.#caughtUp = this.remaining() === 0n;
  }

  /** Records `nextOffset` as the next record to read of `partition`. */
  advance(partition: number, nextOffset: bigint): void {
    const current = this.#applied.get(partition);
    if (current === undefined || nextOffset > current) this.#applied.set(partition, nextOffset);
    if (!this.#caughtUp) this.#caughtUp = this.remaining() === 0n;
  }

  /** Once true, stays true: later lag is normal streaming, not a half-built state. */
  get caughtUp(): boolean {
    return this.#caughtUp;
  }

  remaining(): bigint {
    let remaining = 0n;
    for (const [partition, target] of this.#targets) {
      const applied = this.#applied.get(partition) ?? 0n;
      if (applied < target) remaining += target - applied;
    }
    return remaining;
  }

  /** Next offset per partition, as decimal strings (what a snapshot records). */
  offsets(): Record<string, string> {
    return Object.fromEntries([...this.#applied].map(([partition, offset]) => [String(partition), offset.toString()]));
  }
}
