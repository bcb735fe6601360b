import type { ConsumedBatch, KafkaClient, KafkaConsumer } from '@kuroshio/kafka';
import type { Logger } from '@kuroshio/telemetry';
import type { FeatureRef, FeatureView } from '../views/feature-view.js';
import { CatchUp } from './ingest/catch-up.js';
import { decodeCleanEvent } from './ingest/clean-event.js';
import { ReplayFilter } from './ingest/replay-filter.js';
import type { OnlineStoreSettings } from './online-config.js';
import type { FeatureValue } from '../views/feature-value.js';
import type { OnlineFeatureReader } from '../parity/online-feature-reader.js';
import { onlineMetrics } from './online-metrics.js';
import { OnlineReads } from './online-reads.js';
import { decodeSnapshot, encodeSnapshot, type ConsumptionState, type PartitionOffsetMap } from './snapshot/state-snapshot.js';
import type { SnapshotStore } from './snapshot/snapshot-store.js';
import { OnlineState } from './state/online-state.js';

export interface OnlineFeatureStoreDeps {
  readonly views: readonly FeatureView[];
  readonly settings: OnlineStoreSettings;
  readonly kafka: KafkaClient;
  readonly snapshots: SnapshotStore;
  readonly logger: Logger;
  /** The clock events are evicted by; tests pin it. */
  readonly now?: () => number;
}

interface Restored {
  readonly key: string;
  readonly offsets: PartitionOffsetMap;
  readonly consumption: ConsumptionState;
}

const START_RETRY_MS = 5_000;
const SWEEP_CHUNK = 50_000;

/**
 * The online store's lifecycle around the plain OnlineState: restore the newest usable S3 snapshot,
 * replay events.clean from the offsets it includes (seeking there), dropping records the ETL
 * produced again on a replay of its own; refuse reads until caught up with the end offsets seen at
 * start, and afterwards for features whose window reaches before the instant from which the state
 * holds every event (a gap after the snapshot, or a rebuild from a truncated topic); keep
 * consuming; snapshot periodically and on a graceful stop; sweep evicted buckets in small chunks so
 * reads are never blocked for long.
 */
export class OnlineFeatureStore implements OnlineFeatureReader {
  readonly name = 'online-state';
  #state: OnlineState;
  #replays = new ReplayFilter();
  /** Events with a time from this instant on are all in the state; -Infinity when every event is. */
  #completeFromMs = -Infinity;
  /** Partitions whose records before the start offset are gone: the first one read sets the coverage. */
  readonly #awaitingFirstRecord = new Set<number>();
  #catchUp: CatchUp | undefined;
  #consumer: KafkaConsumer | undefined;
  #stopping = false;
  #crashed = false;
  #booting: Promise<void> | undefined;
  #timers: NodeJS.Timeout[] = [];
  #lastSnapshotOffsets = '';
  #snapshotting: Promise<void> | undefined;
  readonly #now: () => number;
  /** The validated read path GetOnlineFeatures serves. */
  readonly reads: OnlineReads;

  constructor(private readonly deps: OnlineFeatureStoreDeps) {
    this.#now = deps.now ?? Date.now;
    this.reads = new OnlineReads(
      () => this.#state,
      deps.settings,
      () => this.ready,
      () => this.#completeFromMs,
    );
    this.#state = this.#emptyState();
  }

  /** Starts restoring and consuming in the background; Kafka or S3 being down only delays readiness. */
  start(): void {
    this.#booting = this.#bootUntilRunning();
  }

  /** Readiness: fails until the state has caught up (and while the consumer is down). */
  async check(): Promise<void> {
    const catchUp = this.#catchUp;
    if (catchUp === undefined) throw new Error('online state: restoring');
    if (!catchUp.caughtUp) throw new Error(`online state: replaying, ${catchUp.remaining()} records to go; ${this.coverage()}`);
    await this.#consumer?.check();
  }

  get ready(): boolean {
    return this.#catchUp?.caughtUp ?? false;
  }

  /** The instant from which every event is in the state; -Infinity when every retained-or-not event is. */
  get completeFromMs(): number {
    return this.#completeFromMs;
  }

  /** The coverage in words (readiness messages, logs). */
  coverage(): string {
    return Number.isFinite(this.#completeFromMs) ? `complete from ${new Date(this.#completeFromMs).toISOString()}` : 'complete';
  }

  /** The parity check's view of the online values (OnlineFeatureReader). */
  async read(refs: readonly FeatureRef[], entityIds: readonly string[], asOfMs: number): Promise<FeatureValue[][]> {
    return this.reads.read(refs, entityIds, asOfMs).rows;
  }

  /** Stops consuming; with `snapshot`, first writes the state as of the last handled batch. */
  async stop(options: { snapshot: boolean }): Promise<void> {
    this.#stopping = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    await this.#consumer?.disconnect();
    await this.#booting?.catch(() => undefined);
    await this.#snapshotting?.catch(() => undefined);
    if (options.snapshot && this.ready && !this.#crashed) await this.snapshot();
  }

  /** Stops as a killed process would: no final snapshot, now or on the later graceful stop (tests, drills). */
  async crash(): Promise<void> {
    this.#crashed = true;
    await this.stop({ snapshot: false });
  }

  /** Writes a snapshot unless nothing was applied since the last one (or one is being written). */
  snapshot(): Promise<void> {
    this.#snapshotting ??= this.#writeSnapshot().finally(() => {
      this.#snapshotting = undefined;
    });
    return this.#snapshotting;
  }

  async #writeSnapshot(): Promise<void> {
    const catchUp = this.#catchUp;
    // Until the first retained record of a truncated partition is read, the coverage is not known.
    if (catchUp === undefined || this.#awaitingFirstRecord.size > 0) return;
    const offsets = catchUp.offsets();
    const fingerprint = JSON.stringify(offsets);
    if (fingerprint === this.#lastSnapshotOffsets) return;
    const started = performance.now();
    const createdAtMs = this.#now();
    // Encoded synchronously: no batch is applied half-way through, so state and offsets agree.
    const body = encodeSnapshot(this.#state, this.deps.settings.topic, offsets, createdAtMs, { replays: this.#replays, completeFromMs: this.#completeFromMs });
    try {
      const key = await this.deps.snapshots.write(body, createdAtMs, { offsets: fingerprint.slice(0, 1500) });
      this.#lastSnapshotOffsets = fingerprint;
      await this.deps.snapshots.prune(this.deps.settings.snapshotsKept);
      onlineMetrics.snapshots.inc({ result: 'written' });
      this.deps.logger.info({ key, bytes: body.length, entities: this.#state.entityCount, offsets }, 'online state snapshot written');
    } catch (error) {
      onlineMetrics.snapshots.inc({ result: 'failed' });
      throw error;
    } finally {
      onlineMetrics.snapshotSeconds.observe((performance.now() - started) / 1000);
    }
  }

  get state(): OnlineState {
    return this.#state;
  }

  async #bootUntilRunning(): Promise<void> {
    while (!this.#stopping) {
      try {
        await this.#boot();
        return;
      } catch (error) {
        this.deps.logger.warn({ err: error, retryInMs: START_RETRY_MS }, 'online store could not start; retrying');
        await new Promise((resolve) => setTimeout(resolve, START_RETRY_MS).unref());
      }
    }
  }

  async #boot(): Promise<void> {
    const { topic, groupId } = this.deps.settings;
    const partitions = await this.deps.kafka.topicOffsets(topic);
    const restored = await this.#restore();
    const bootMs = this.#now();
    let completeFromMs = restored?.consumption.completeFromMs ?? -Infinity;
    this.#awaitingFirstRecord.clear();
    const starts = new Map<number, bigint>();
    const targets = new Map<number, bigint>();
    for (const { partition, low, high } of partitions) {
      // What the state already holds of this partition: up to the snapshot's offset, else nothing.
      const held = BigInt(restored?.offsets[String(partition)] ?? '0');
      const start = held < BigInt(low) ? BigInt(low) : held;
      if (held < BigInt(low)) {
        // Records [held, low) are gone: events up to the first retained record may be missing.
        this.deps.logger.warn({ topic, partition, held: held.toString(), low }, 'records the state does not hold are gone from the topic; windows reaching before the first retained record are not served');
        if (BigInt(low) < BigInt(high)) this.#awaitingFirstRecord.add(partition);
        else completeFromMs = Math.max(completeFromMs, bootMs); // nothing retained: only what comes from now on
      }
      starts.set(partition, start);
      targets.set(partition, BigInt(high));
    }
    if (this.#stopping) return;
    this.#setCompleteFrom(completeFromMs);
    const catchUp = new CatchUp(starts, targets);
    this.#catchUp = catchUp;
    this.#lastSnapshotOffsets = restored ? JSON.stringify(restored.offsets) : '';
    onlineMetrics.lag.set(Number(catchUp.remaining()));
    this.deps.logger.info({ topic, groupId, restored: restored?.key ?? null, replay: catchUp.remaining().toString() }, 'online state replaying');
    const consumer = this.deps.kafka.consumer({
      groupId,
      topics: [topic],
      fromBeginning: true,
      startOffsets: [...starts].map(([partition, offset]) => ({ topic, partition, offset: offset.toString() })),
    });
    this.#consumer = consumer;
    await consumer.start((batch) => this.#handle(batch, catchUp));
    this.#timers.push(
      setInterval(() => void this.snapshot().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'online state snapshot failed')), this.deps.settings.snapshotIntervalMs).unref(),
      setInterval(() => this.#sweepInChunks(), this.deps.settings.sweepIntervalMs).unref(),
    );
  }

  /**
   * The newest kept snapshot that decodes over the loaded views, trying older ones when it does not
   * (damaged, other definitions, other format); none usable → an empty state rebuilt from the
   * topic. A snapshot that cannot be read (S3 down) fails the start, which is retried.
   */
  async #restore(): Promise<Restored | undefined> {
    const keys = await this.deps.snapshots.keys();
    for (let i = keys.length - 1; i >= 0; i -= 1) {
      const key = keys[i]!;
      const body = await this.deps.snapshots.read(key);
      try {
        const { state, header, consumption } = decodeSnapshot(body, this.deps.views, { retentionSlackMs: this.deps.settings.retentionSlackMs });
        if (header.topic !== this.deps.settings.topic) throw new Error(`snapshot of topic ${header.topic}`);
        this.#state = state;
        this.#replays = consumption.replays;
        this.deps.logger.info(
          { key, newer: keys.length - 1 - i, entities: state.entityCount, offsets: header.offsets, formatVersion: header.formatVersion },
          'online state restored from snapshot',
        );
        return { key, offsets: header.offsets, consumption };
      } catch (error) {
        const next = i > 0 ? 'trying an older one' : 'rebuilding from the topic';
        this.deps.logger.warn({ err: error, key }, `online state snapshot not usable; ${next}`);
      }
    }
    this.#state = this.#emptyState();
    this.#replays = new ReplayFilter();
    return undefined;
  }

  async #handle(batch: ConsumedBatch, catchUp: CatchUp): Promise<void> {
    const now = this.#now();
    let applied = 0;
    let skipped = 0;
    let duplicates = 0;
    if (this.#awaitingFirstRecord.delete(batch.partition) && batch.messages[0]) {
      this.#setCompleteFrom(Math.max(this.#completeFromMs, Number(batch.messages[0].timestamp)));
    }
    for (const message of batch.messages) {
      const decoded = decodeCleanEvent(message.value);
      if (!decoded.ok) {
        skipped += 1;
        this.deps.logger.warn({ topic: batch.topic, partition: batch.partition, offset: message.offset, reason: decoded.reason }, 'events.clean record not usable; skipped');
        continue;
      }
      if (!this.#replays.admit(batch.partition, decoded.raw)) {
        duplicates += 1;
        continue;
      }
      if (this.#state.apply(decoded.event, now) > 0) applied += 1;
    }
    const last = batch.messages[batch.messages.length - 1];
    const wasCaughtUp = catchUp.caughtUp;
    if (last) catchUp.advance(batch.partition, BigInt(last.offset) + 1n);
    if (!wasCaughtUp && catchUp.caughtUp) this.deps.logger.info({ entities: this.#state.entityCount, completeFromMs: this.#completeFromMs }, `online state caught up; ${this.coverage()}`);
    onlineMetrics.events.inc({ outcome: 'applied' }, applied);
    onlineMetrics.events.inc({ outcome: 'unmatched' }, batch.messages.length - applied - skipped - duplicates);
    onlineMetrics.events.inc({ outcome: 'invalid' }, skipped);
    onlineMetrics.events.inc({ outcome: 'duplicate' }, duplicates);
    onlineMetrics.lag.set(Number(catchUp.remaining()));
    onlineMetrics.entities.set(this.#state.entityCount);
    onlineMetrics.stateBytes.set(this.#state.typedBytes);
  }

  #setCompleteFrom(completeFromMs: number): void {
    this.#completeFromMs = completeFromMs;
    onlineMetrics.completeFrom.set(Number.isFinite(completeFromMs) ? completeFromMs / 1000 : 0);
  }

  #sweepInChunks(): void {
    const now = this.#now();
    const step = (from: number) => {
      if (this.#stopping) return;
      const next = this.#state.sweep(now, from, SWEEP_CHUNK);
      if (next !== 0) setImmediate(step, next);
    };
    step(0);
  }

  #emptyState(): OnlineState {
    return new OnlineState(this.deps.views, { retentionSlackMs: this.deps.settings.retentionSlackMs });
  }
}
