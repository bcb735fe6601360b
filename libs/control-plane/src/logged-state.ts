import { DomainError } from '@kuroshio/service-kit';
import type { Caller } from './caller.js';
import type { ChangeLog, ChangeStamp } from './change-log.js';
import { MutationQueue } from './mutation-queue.js';

/** What a decision against the current state comes to: one change to log, or nothing to do. */
export type Decision<C> = { readonly kind: 'change'; readonly change: C } | { readonly kind: 'unchanged' };

/** The log position a state keeps up to date as changes are applied to it. */
export interface LogPosition {
  readonly lastSeq: number;
  readonly lastTimeMs: number;
}

export interface LoggedStateOptions<S extends LogPosition, C extends ChangeStamp> {
  /** Who the errors name, e.g. "the registry". */
  readonly subject: string;
  readonly log: ChangeLog<C>;
  /** The empty state, filled by `rebuild` and by every change. */
  readonly state: S;
  /** Applies one change to the state (the same function replays the log). */
  readonly apply: (state: S, change: C) => void;
  /**
   * Called in the queue right after each change is applied once the log has been replayed: the
   * change a mutation logged, and a change read back after a write of unknown outcome (one that
   * landed although the write failed). Each change once per process, in log order — the place for
   * side effects every change needs, such as publishing it. The replay itself goes to `rebuild`.
   */
  readonly onApplied?: (change: C, state: S) => void;
  readonly newEventId: () => string;
  readonly clock?: () => number;
  /** Log entries read per query while catching up. */
  readonly readPageSize?: number;
}

/**
 * A control plane's state: in memory, derived from an append-only change log, with one writer.
 * Every change goes through one queue — decide against the current state, append to the log
 * (durable), apply to memory, answer — so seqs never race. A log write that fails without telling
 * whether it landed makes the next change read the log's tail first. Reads are served from memory
 * once the log has been replayed.
 */
export class LoggedState<S extends LogPosition, C extends ChangeStamp> {
  readonly #options: LoggedStateOptions<S, C>;
  readonly #queue = new MutationQueue();
  readonly #clock: () => number;
  readonly #state: S;
  #lastEventId = '';
  #rebuilt = false;
  #uncertain = false;

  constructor(options: LoggedStateOptions<S, C>) {
    this.#options = options;
    this.#state = options.state;
    this.#clock = options.clock ?? Date.now;
  }

  get rebuilt(): boolean {
    return this.#rebuilt;
  }

  /** Position of the last applied change. */
  get lastSeq(): number {
    return this.#state.lastSeq;
  }

  get queueDepth(): number {
    return this.#queue.depth;
  }

  /**
   * Replays the change log into memory; call until it resolves (a failure keeps what was read and
   * continues from there). `whenRebuilt` runs once, inside the queue, before any change is decided.
   */
  async rebuild(whenRebuilt?: (state: S) => void): Promise<number> {
    await this.#queue.run(async () => {
      if (this.#rebuilt) return;
      await this.#catchUp();
      this.#rebuilt = true;
      whenRebuilt?.(this.#state);
    });
    return this.#state.lastSeq;
  }

  /** The state for reads; UNAVAILABLE until the log has been replayed. */
  readable(): S {
    if (!this.#rebuilt) throw this.#notRebuilt();
    return this.#state;
  }

  /**
   * One change: `decide` gets the state and the stamp the change must carry; `answer` runs in the
   * queue right after the change was logged and applied (change null when nothing changed).
   */
  async mutate<T>(caller: Caller, decide: (state: S, stamp: ChangeStamp) => Decision<C> | Promise<Decision<C>>, answer: (state: S, change: C | null) => T): Promise<T> {
    return this.#queue.run(async () => {
      if (!this.#rebuilt) throw this.#notRebuilt();
      if (this.#uncertain) {
        try {
          await this.#catchUp();
        } catch (error) {
          throw this.#logUnavailable(error);
        }
        this.#uncertain = false;
      }
      const decision = await decide(this.#state, this.#nextStamp(caller));
      if (decision.kind === 'unchanged') return answer(this.#state, null);
      try {
        await this.#options.log.append(decision.change);
      } catch (error) {
        this.#uncertain = true;
        throw this.#logUnavailable(error);
      }
      this.#apply(decision.change);
      return answer(this.#state, decision.change);
    });
  }

  #nextStamp(caller: Caller): ChangeStamp {
    return {
      seq: this.#state.lastSeq + 1,
      eventId: this.#options.newEventId(),
      timeMs: Math.max(this.#clock(), this.#state.lastTimeMs),
      actor: caller.actor,
      reason: caller.reason,
    };
  }

  #apply(change: C): void {
    this.#options.apply(this.#state, change);
    this.#lastEventId = change.eventId;
    if (this.#rebuilt) this.#options.onApplied?.(change, this.#state);
  }

  async #catchUp(): Promise<void> {
    const pageSize = this.#options.readPageSize ?? 5_000;
    for (;;) {
      const changes = await this.#options.log.readAfter(this.#state.lastSeq, pageSize);
      for (const change of changes) {
        // The same row twice (an insert the client retried) is one change.
        if (change.seq === this.#state.lastSeq && change.eventId === this.#lastEventId) continue;
        this.#apply(change);
      }
      if (changes.length < pageSize) return;
    }
  }

  #notRebuilt(): DomainError {
    return new DomainError('UNAVAILABLE', `${this.#options.subject} is rebuilding its state from the change log; retry shortly`, { reason: 'rebuilding' });
  }

  #logUnavailable(cause: unknown): DomainError {
    return new DomainError(
      'UNAVAILABLE',
      'the change log (ClickHouse) did not confirm the write; the change may or may not be recorded: read it back before retrying',
      { reason: 'change_log_unavailable', cause },
    );
  }
}
