import type { RateLimit } from '../sources/source-definition.js';

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * Events-per-second limit with a burst allowance. A request takes all its events or none. A batch
 * larger than the burst would never fit, so it may take the bucket into debt once it is full;
 * the debt then delays later requests, which keeps the long-run rate honest.
 */
export class TokenBucket {
  #tokens: number;
  #updatedMs: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#tokens = limit.burst;
    this.#updatedMs = now();
  }

  take(count: number): TakeResult {
    this.#refill();
    const needed = Math.min(count, this.limit.burst);
    if (this.#tokens >= needed) {
      this.#tokens -= count;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil(((needed - this.#tokens) / this.limit.eventsPerSecond) * 1000) };
  }

  #refill(): void {
    const now = this.now();
    const elapsedMs = now - this.#updatedMs;
    this.#updatedMs = now;
    this.#tokens = Math.min(this.limit.burst, this.#tokens + (elapsedMs / 1000) * this.limit.eventsPerSecond);
  }
}
