/**
 * The messageIds seen lately, per tenant, with where each was first seen. Bounded: past `capacity`
 * the oldest entries go (a Map iterates in insertion order). A record met again at the same Kafka
 * coordinates is a replay of itself, not a duplicate — so a batch redelivered after a failed sink
 * or commit is processed exactly as the first time and overwrites the same lake objects and rows.
 */
export class DedupWindow {
  private readonly firstSeen = new Map<string, string>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.firstSeen.size;
  }

  /**
   * Remembers where a messageId was taken by an earlier run (read back from the warehouse), unless
   * the window already knows it. Counts against the capacity like any other entry.
   */
  remember(tenant: string, messageId: string, coordinates: string): void {
    if (this.capacity === 0) return;
    const key = `${tenant}\u0000${messageId}`;
    if (this.firstSeen.has(key)) return;
    this.firstSeen.set(key, coordinates);
    if (this.firstSeen.size > this.capacity) {
      const oldest = this.firstSeen.keys().next();
      if (oldest.done !== true) this.firstSeen.delete(oldest.value);
    }
  }

  /** True when `messageId` was already taken at other coordinates; otherwise remembers it. */
  isDuplicate(tenant: string, messageId: string, coordinates: string): boolean {
    const key = `${tenant}\u0000${messageId}`;
    const seenAt = this.firstSeen.get(key);
    if (seenAt !== undefined) return seenAt !== coordinates;
    if (this.capacity === 0) return false;
    this.firstSeen.set(key, coordinates);
    if (this.firstSeen.size > this.capacity) {
      const oldest = this.firstSeen.keys().next();
      if (oldest.done !== true) this.firstSeen.delete(oldest.value);
    }
    return false;
  }
}

export function coordinatesOf(record: { topic: string; partition: number; offset: string }): string {
  return `${record.topic}/${record.partition}/${record.offset}`;
}
