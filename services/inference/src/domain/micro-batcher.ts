import { resourceExhausted } from './inference-errors.js';

export interface MicroBatchLimits {
  /** Rows per model call; a single job with more rows runs as a batch of its own. */
  readonly maxBatchSize: number;
  /** Longest a row waits for others before its batch runs anyway; 0: rows of the same tick only. */
  readonly maxQueueDelayMs: number;
  /** Rows waiting (not yet running) before new jobs are shed. */
  readonly maxQueuedRows: number;
  /** Batches running at once. */
  readonly maxConcurrentBatches: number;
}

/** What the batcher reports (metrics); every method optional. */
export interface MicroBatchObserver {
  batchFormed?(rows: number, jobs: number, trigger: 'size' | 'delay' | 'drain'): void;
  shed?(rows: number): void;
  queueDepth?(rows: number): void;
}

/** Runs one batch: the inputs of its jobs in order, and resolves with one output per job. */
export type RunBatch<I, O> = (inputs: readonly I[]) => Promise<readonly O[]>;

interface Job<I, O> {
  readonly input: I;
  readonly rows: number;
  readonly resolve: (output: O) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Dynamic micro-batching in front of one model: jobs (a request's rows) queue up and run together
 * when `maxBatchSize` rows are waiting, or when the oldest has waited `maxQueueDelayMs`, with at
 * most `maxConcurrentBatches` model calls at once. A job that would push the queue past
 * `maxQueuedRows` is refused at once with RESOURCE_EXHAUSTED (load shedding), so overload turns
 * into fast errors instead of growing latency for everyone.
 */
export class MicroBatcher<I, O> {
  readonly #queue: Job<I, O>[] = [];
  #queuedRows = 0;
  #running = 0;
  #timer: NodeJS.Timeout | undefined;
  #idleWaiters: Array<() => void> = [];

  constructor(
    private readonly run: RunBatch<I, O>,
    private readonly limits: MicroBatchLimits,
    private readonly observer: MicroBatchObserver = {},
    private readonly label = 'model',
  ) {}

  get queuedRows(): number {
    return this.#queuedRows;
  }

  get runningBatches(): number {
    return this.#running;
  }

  /** Queues `rows` rows; rejects at once when the queue is full. */
  submit(input: I, rows = 1): Promise<O> {
    if (this.#queuedRows + rows > this.limits.maxQueuedRows) {
      this.observer.shed?.(rows);
      return Promise.reject(
        resourceExhausted('queue_full', `${this.label} is overloaded: ${this.#queuedRows} rows are queued (limit ${this.limits.maxQueuedRows}); retry with backoff`, {
          queuedRows: this.#queuedRows,
          maxQueuedRows: this.limits.maxQueuedRows,
        }),
      );
    }
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ input, rows, resolve, reject });
      this.#queuedRows += rows;
      this.observer.queueDepth?.(this.#queuedRows);
      this.#schedule();
    });
  }

  /** Resolves once nothing is queued or running (e.g. before a replaced model is disposed). */
  idle(): Promise<void> {
    if (this.#queue.length === 0 && this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #schedule(): void {
    while (this.#running < this.limits.maxConcurrentBatches && this.#queuedRows >= this.limits.maxBatchSize) {
      this.#dispatch('size');
    }
    if (this.#queue.length === 0 || this.#running >= this.limits.maxConcurrentBatches || this.#timer !== undefined) return;
    const fire = () => {
      this.#timer = undefined;
      if (this.#queue.length > 0 && this.#running < this.limits.maxConcurrentBatches) this.#dispatch('delay');
      if (this.#queue.length > 0) this.#schedule();
    };
    this.#timer = this.limits.maxQueueDelayMs === 0 ? (setImmediate(fire) as unknown as NodeJS.Timeout) : setTimeout(fire, this.limits.maxQueueDelayMs);
  }

  #dispatch(trigger: 'size' | 'delay' | 'drain'): void {
    const jobs: Job<I, O>[] = [];
    let rows = 0;
    while (this.#queue.length > 0) {
      const next = this.#queue[0] as Job<I, O>;
      if (jobs.length > 0 && rows + next.rows > this.limits.maxBatchSize) break;
      this.#queue.shift();
      jobs.push(next);
      rows += next.rows;
      if (rows >= this.limits.maxBatchSize) break;
    }
    this.#queuedRows -= rows;
    this.#running += 1;
    this.observer.batchFormed?.(rows, jobs.length, trigger);
    this.observer.queueDepth?.(this.#queuedRows);
    void this.#execute(jobs);
  }

  async #execute(jobs: Job<I, O>[]): Promise<void> {
    try {
      const outputs = await this.run(jobs.map((job) => job.input));
      if (outputs.length !== jobs.length) throw new Error(`batch returned ${outputs.length} outputs for ${jobs.length} jobs`);
      jobs.forEach((job, i) => job.resolve(outputs[i] as O));
    } catch (error) {
      for (const job of jobs) job.reject(error);
    } finally {
      this.#running -= 1;
      // Rows that queued up while this batch ran have waited already: run them without a new delay.
      if (this.#queue.length > 0 && this.#running < this.limits.maxConcurrentBatches) this.#dispatch('drain');
      this.#schedule();
      if (this.#queue.length === 0 && this.#running === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
    }
  }
}
