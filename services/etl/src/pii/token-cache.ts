/**
 * A bounded map from canonical value to token, kept as two generations: new entries go into the
 * young one; when it fills up it becomes the old one and the previous old one is dropped whole. A
 * hit in the old generation is copied to the young one, so values in use survive. Every operation
 * is O(1); evicting entry by entry from one Map is not, because V8 leaves deleted slots at the
 * front that iteration must skip. It holds raw values in memory, as the events being scrubbed do.
 */
export class TokenCache {
  #young = new Map<string, string>();
  #old = new Map<string, string>();
  readonly #generationSize: number;

  /** `capacity` bounds both generations together; 0 turns the cache off. */
  constructor(capacity: number) {
    this.#generationSize = Math.ceil(capacity / 2);
  }

  get(key: string): string | undefined {
    const young = this.#young.get(key);
    if (young !== undefined) return young;
    const old = this.#old.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  set(key: string, token: string): void {
    if (this.#generationSize === 0) return;
    if (this.#young.size >= this.#generationSize) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(key, token);
  }

  get size(): number {
    return this.#young.size + this.#old.size;
  }
}
