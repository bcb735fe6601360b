import { unavailable } from './inference-errors.js';

/** One record for Kafka. */
export interface LogRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: Buffer;
}

/** The Kafka side of the log (KafkaProducer satisfies it). */
export interface LogSender {
  send(topic: string, messages: ReadonlyArray<{ key: string; value: Buffer }>): Promise<unknown>;
}

export interface PredictionLogOptions {
  /** Records held (reserved or waiting) at most; beyond it requests are shed, never records dropped. */
  readonly capacity: number;
  readonly sendBatch: number;
  readonly retryMs: number;
  /** A send of fewer than `sendBatch` records first waits this long for more (default 0: at once). */
  readonly lingerMs?: number;
  readonly onSendFailed?: (error: unknown, waiting: number) => void;
  readonly onDepth?: (records: number) => void;
}

/** Slots a request holds from admission until it appends its records (or gives them back). */
export interface LogReservation {
  /** Appends up to the reserved number of records and gives the rest back. */
  commit(records: readonly LogRecord[]): void;
  release(): void;
}

/**
 * Every prediction (and exposure) goes to Kafka after the answer, through a bounded buffer. A
 * request reserves its records' room before any work is done; when the buffer is full the request
 * is refused with UNAVAILABLE, so a slow or absent Kafka sheds load instead of losing audit
 * records. Sends go one batch at a time and are retried until they succeed or the log closes.
 */
export class PredictionLog {
  readonly #waiting: LogRecord[] = [];
  #reserved = 0;
  #flushing: Promise<void> | undefined;
  #closed = false;
  #wake: (() => void) | undefined;
  #draining = false;
  #endLinger: (() => void) | undefined;

  constructor(
    private readonly sender: LogSender,
    private readonly options: PredictionLogOptions,
  ) {}

  /** Records reserved or waiting to be sent. */
  get depth(): number {
    return this.#reserved + this.#waiting.length;
  }

  reserve(records: number): LogReservation {
    if (this.#closed) throw unavailable('shutting_down', 'inference is shutting down');
    if (this.depth + records > this.options.capacity) {
      throw unavailable(
        'prediction_log_full',
        `the prediction log buffer is full (${this.depth} of ${this.options.capacity} records waiting for Kafka); requests are refused rather than predictions left unlogged. Retry with backoff`,
      );
    }
    this.#reserved += records;
    let held = records;
    return {
      commit: (items) => {
        const taken = Math.min(items.length, held);
        this.#reserved -= held;
        held = 0;
        for (let i = 0; i < taken; i++) this.#waiting.push(items[i] as LogRecord);
        this.options.onDepth?.(this.depth);
        this.#kick();
      },
      release: () => {
        this.#reserved -= held;
        held = 0;
      },
    };
  }

  /** Sends what is waiting (bounded by `timeoutMs`), then refuses new reservations. */
  async close(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    this.#draining = true;
    this.#endLinger?.();
    while (this.#waiting.length > 0 && Date.now() < deadline) {
      this.#kick();
      await Promise.race([this.#flushing, new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(100, deadline - Date.now()))))]);
    }
    this.#closed = true;
    this.#wake?.();
    await this.#flushing;
    return this.#waiting.length;
  }

  #kick(): void {
    if (this.#flushing !== undefined || this.#waiting.length === 0) return;
    this.#flushing = this.#flush().finally(() => {
      this.#flushing = undefined;
      if (this.#waiting.length > 0 && !this.#closed) this.#kick();
    });
  }

  async #flush(): Promise<void> {
    while (this.#waiting.length > 0) {
      const lingerMs = this.options.lingerMs ?? 0;
      if (lingerMs > 0 && this.#waiting.length < this.options.sendBatch && !this.#draining) await this.#linger(lingerMs);
      const batch = this.#waiting.slice(0, this.options.sendBatch);
      // The records themselves are the messages (key and value; the sender ignores `topic`).
      const byTopic = new Map<string, LogRecord[]>();
      for (const record of batch) {
        const messages = byTopic.get(record.topic);
        if (messages === undefined) byTopic.set(record.topic, [record]);
        else messages.push(record);
      }
      try {
        await Promise.all([...byTopic].map(([topic, messages]) => this.sender.send(topic, messages)));
        this.#waiting.splice(0, batch.length);
        this.options.onDepth?.(this.depth);
      } catch (error) {
        // A partly sent batch is sent again whole: duplicates fold in ClickHouse (ReplacingMergeTree).
        this.options.onSendFailed?.(error, this.#waiting.length);
        if (this.#closed) return;
        await this.#sleep(this.options.retryMs);
        if (this.#closed) return;
      }
    }
  }

  /** Waits `ms` for more records; close() cuts it short. */
  async #linger(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#endLinger = () => (clearTimeout(timer), resolve());
    });
    this.#endLinger = undefined;
  }

  /** Waits `ms`, or less if the log closes meanwhile. */
  async #sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => (clearTimeout(timer), resolve());
    });
    this.#wake = undefined;
  }
}
