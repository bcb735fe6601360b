import type { ChangeLog, ChangeStamp } from './change-log.js';

/** A change log in memory, for tests; `failNext` makes appends fail, either before or after they land. */
export class InMemoryChangeLog<C extends ChangeStamp> implements ChangeLog<C> {
  readonly entries: C[] = [];
  readonly #failures: Array<'lost' | 'landed'> = [];
  /** readAfter calls so far. */
  reads = 0;

  failNext(mode: 'lost' | 'landed'): void {
    this.#failures.push(mode);
  }

  async append(change: C): Promise<void> {
    await Promise.resolve();
    const failure = this.#failures.shift();
    if (failure === 'landed') this.entries.push(change);
    if (failure !== undefined) throw new Error(`simulated log failure (${failure})`);
    this.entries.push(change);
  }

  async readAfter(afterSeq: number, limit: number): Promise<C[]> {
    this.reads += 1;
    return this.entries.filter((change) => change.seq > afterSeq).slice(0, limit);
  }
}
