/** A request's place in its stream's backlog. */
export interface StreamTicket {
  /** Resolves when the request may be scored (at once when a slot is free). */
  readonly started: Promise<void>;
  /** Frees the slot (answered) or the place in the queue (the stream went away first); idempotent. */
  leave(): void;
}

export interface StreamBacklogLimits {
  /** Requests scored at once. */
  readonly concurrency: number;
  /** Requests held, beyond those, until a slot frees. */
  readonly maxWaiting: number;
}

/**
 * The requests of one PredictStream. Nest reads a stream's messages as fast as they arrive (it
 * never pauses the call), so HTTP/2 flow control does not hold a fast sender back: without a bound,
 * every message not yet scored would wait in memory. At most `concurrency` are scored at once and
 * `maxWaiting` more wait; `enter` refuses the rest, which the controller answers RESOURCE_EXHAUSTED.
 */
export class StreamBacklog {
  #running = 0;
  // Insertion-ordered: requests start in the order they arrived.
  readonly #waiting = new Set<() => void>();

  constructor(private readonly limits: StreamBacklogLimits) {}

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#waiting.size;
  }

  /** A place for one request, or undefined when `maxWaiting` requests wait already. */
  enter(): StreamTicket | undefined {
    if (this.#running < this.limits.concurrency) {
      this.#running++;
      let held = true;
      return {
        started: Promise.resolve(),
        leave: () => {
          if (held) this.#release();
          held = false;
        },
      };
    }
    if (this.#waiting.size >= this.limits.maxWaiting) return undefined;
    let state: 'waiting' | 'running' | 'left' = 'waiting';
    let start!: () => void;
    const started = new Promise<void>((resolve) => (start = resolve));
    // Called by #release, which hands its running slot over: the count stays.
    const begin = () => {
      state = 'running';
      start();
    };
    this.#waiting.add(begin);
    return {
      started,
      leave: () => {
        if (state === 'waiting') this.#waiting.delete(begin);
        else if (state === 'running') this.#release();
        state = 'left';
      },
    };
  }

  #release(): void {
    const [next] = this.#waiting;
    if (next === undefined) {
      this.#running--;
      return;
    }
    this.#waiting.delete(next);
    next();
  }
}
