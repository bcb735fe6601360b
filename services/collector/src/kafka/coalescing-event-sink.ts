import type { EventSink } from '../ingest/event-sink.js';
import type { PreparedRecord } from '../ingest/event-preparation.js';

/** One Kafka produce request: resolves after the broker acknowledged every record (acks=all). */
export type SendRecords = (records: readonly PreparedRecord[]) => Promise<void>;

export interface CoalescingOptions {
  /**
   * How long the oldest waiting request gives others to join its Kafka batch: a batch that is not
   * full leaves once its oldest request has waited this long, also when a send just came back, so
   * at a steady load sends go at most every `lingerMs` per concurrent send (0010).
   */
  readonly lingerMs: number;
  readonly maxBatchEvents: number;
  readonly maxBatchBytes: number;
  /** A publish not acknowledged within this fails (the caller answers 503). */
  readonly deliveryTimeoutMs: number;
  /** Produce requests outstanding at once; while they are, new publishes gather into the next batch. */
  readonly maxConcurrentSends?: number;
  readonly onSend?: (outcome: { events: number; durationMs: number; ok: boolean }) => void;
}

export class DeliveryTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no acknowledgement from kafka within ${timeoutMs} ms`);
    this.name = 'DeliveryTimeoutError';
  }
}

interface Pending {
  readonly records: readonly PreparedRecord[];
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  /** `performance.now()` when it was queued: the batch's linger runs from its oldest request. */
  readonly queuedAt: number;
  settled: boolean;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Coalesces the events of concurrent requests into larger Kafka produce requests: a batch leaves
 * when it is full or its oldest request has waited the linger, and while the sends are outstanding
 * the next batch keeps filling, so the batch size grows with the load instead of the number of
 * round trips. Each caller still waits
 * for the acknowledgement of its own records, bounded by the delivery timeout; a caller that timed
 * out before its records left is taken out of the queue (nothing is sent for an answered 503).
 */
export class CoalescingEventSink implements EventSink {
  readonly #queue: Pending[] = [];
  #queuedEvents = 0;
  #queuedBytes = 0;
  #sending = 0;
  #linger: NodeJS.Timeout | undefined;
  readonly #maxConcurrentSends: number;

  constructor(
    private readonly send: SendRecords,
    private readonly options: CoalescingOptions,
  ) {
    this.#maxConcurrentSends = options.maxConcurrentSends ?? 2;
  }

  publish(records: readonly PreparedRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = { records, bytes: sumBytes(records), resolve, reject, queuedAt: performance.now(), settled: false, timer: undefined };
      pending.timer = setTimeout(() => this.#expire(pending), this.options.deliveryTimeoutMs);
      this.#queue.push(pending);
      this.#queuedEvents += records.length;
      this.#queuedBytes += pending.bytes;
      if (this.#batchIsFull()) this.#flush();
      else this.#linger ??= setTimeout(() => this.#flush(), this.options.lingerMs);
    });
  }

  #batchIsFull(): boolean {
    return this.#queuedEvents >= this.options.maxBatchEvents || this.#queuedBytes >= this.options.maxBatchBytes;
  }

  #flush(): void {
    clearTimeout(this.#linger);
    this.#linger = undefined;
    while (this.#queue.length > 0 && this.#sending < this.#maxConcurrentSends) {
      this.#sendBatch(this.#takeBatch());
    }
  }

  #takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let events = 0;
    let bytes = 0;
    for (let next = this.#queue[0]; next !== undefined; next = this.#queue[0]) {
      const fits = events + next.records.length <= this.options.maxBatchEvents && bytes + next.bytes <= this.options.maxBatchBytes;
      // A request larger than a batch still goes, alone.
      if (!fits && batch.length > 0) break;
      this.#queue.shift();
      this.#queuedEvents -= next.records.length;
      this.#queuedBytes -= next.bytes;
      batch.push(next);
      events += next.records.length;
      bytes += next.bytes;
    }
    return batch;
  }

  #sendBatch(batch: Pending[]): void {
    const records = batch.length === 1 ? (batch[0]?.records ?? []) : batch.flatMap((pending) => pending.records);
    this.#sending += 1;
    const started = performance.now();
    this.send(records).then(
      () => this.#settle(batch, started, records.length, undefined),
      (error: unknown) => this.#settle(batch, started, records.length, error ?? new Error('kafka send failed')),
    );
  }

  #settle(batch: Pending[], started: number, events: number, error: unknown): void {
    this.#sending -= 1;
    this.options.onSend?.({ events, durationMs: performance.now() - started, ok: error === undefined });
    for (const pending of batch) {
      if (pending.settled) continue;
      pending.settled = true;
      clearTimeout(pending.timer);
      if (error === undefined) pending.resolve();
      else pending.reject(error);
    }
    // What gathered while this send was out goes once its oldest request has lingered (at once if
    // that already happened or the batch is full).
    this.#flushWhenLingered();
  }

  #flushWhenLingered(): void {
    const oldest = this.#queue[0];
    if (oldest === undefined || this.#linger !== undefined) return;
    const wait = this.options.lingerMs - (performance.now() - oldest.queuedAt);
    if (wait <= 0 || this.#batchIsFull()) this.#flush();
    else this.#linger = setTimeout(() => this.#flush(), wait);
  }

  #expire(pending: Pending): void {
    if (pending.settled) return;
    pending.settled = true;
    const queued = this.#queue.indexOf(pending);
    if (queued !== -1) {
      this.#queue.splice(queued, 1);
      this.#queuedEvents -= pending.records.length;
      this.#queuedBytes -= pending.bytes;
    }
    pending.reject(new DeliveryTimeoutError(this.options.deliveryTimeoutMs));
  }
}

function sumBytes(records: readonly PreparedRecord[]): number {
  let bytes = 0;
  for (const record of records) bytes += record.bytes;
  return bytes;
}
