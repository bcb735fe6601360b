import type { Source } from '../sources/source-definition.js';
import { TokenBucket, type TakeResult } from './token-bucket.js';

const UNLIMITED: TakeResult = { ok: true };

/** One token bucket per source that has a rate limit; sources without one are not limited here. */
export class SourceRateLimits {
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(sources: readonly Source[], now?: () => number) {
    for (const source of sources) {
      if (source.rateLimit !== undefined) this.#buckets.set(source.id, new TokenBucket(source.rateLimit, now));
    }
  }

  take(source: Source, events: number): TakeResult {
    return this.#buckets.get(source.id)?.take(events) ?? UNLIMITED;
  }
}
