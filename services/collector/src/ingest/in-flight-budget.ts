export interface InFlightLimits {
  readonly maxEvents: number;
  readonly maxBytes: number;
}

/**
 * Bounds the events and bytes the collector holds while it waits for Kafka. Beyond the bound a
 * request is shed (503 + Retry-After) instead of queued, so a slow broker costs clients a retry
 * rather than costing the process its memory. One request may always enter an empty budget, so a
 * request larger than the bound is not refused forever.
 */
export class InFlightBudget {
  #events = 0;
  #bytes = 0;

  constructor(private readonly limits: InFlightLimits) {}

  get events(): number {
    return this.#events;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Reserves room; returns the release function, or undefined when full. */
  tryAcquire(events: number, bytes: number): (() => void) | undefined {
    const empty = this.#events === 0 && this.#bytes === 0;
    if (!empty && (this.#events + events > this.limits.maxEvents || this.#bytes + bytes > this.limits.maxBytes)) return undefined;
    this.#events += events;
    this.#bytes += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#events -= events;
      this.#bytes -= bytes;
    };
  }
}

/**
 * One request body's share of a budget, grown as its bytes arrive (and again by what
 * decompression produces) and given back at once. A client that declares a large body but sends
 * it slowly holds only what it sent, so connections that never finish cannot reserve the budget
 * away from requests that do (docs/decisions/0010-collector-performance.md).
 */
export class GrowingReservation {
  #releases: Array<() => void> = [];

  constructor(private readonly budget: InFlightBudget) {}

  /** Adds `bytes` to the reservation; false (nothing added) when the budget has no room for them. */
  grow(bytes: number): boolean {
    const release = this.budget.tryAcquire(0, bytes);
    if (release === undefined) return false;
    this.#releases.push(release);
    return true;
  }

  readonly release = (): void => {
    for (const release of this.#releases.splice(0)) release();
  };
}
