import { encodeTopicValue, TOPICS, type CleanEventValue } from '@kuroshio/contracts';
import type { BatchHandler, ConsumedMessage, ConsumerOptions, KafkaClient } from '@kuroshio/kafka';
import { DomainError } from '@kuroshio/service-kit';
import { createLogger } from '@kuroshio/telemetry';
import { context } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { chargesView, DAY_MS, HOUR_MS } from '../testing/test-views.js';
import type { OnlineStoreSettings } from './online-config.js';
import { OnlineFeatureStore } from './online-feature-store.js';
import type { SnapshotStore } from './snapshot/snapshot-store.js';

const TOPIC = 'clean';
const NOW = Date.UTC(2026, 5, 1);
const logger = createLogger({ service: 'online-feature-store-spec', level: 'silent' });
const settings: OnlineStoreSettings = {
  topic: TOPIC,
  groupId: 'spec',
  snapshotBucket: 'lake',
  snapshotIntervalMs: 3_600_000,
  snapshotsKept: 3,
  retentionSlackMs: HOUR_MS,
  sweepIntervalMs: 3_600_000,
  maxEntitiesPerRequest: 10,
  maxValuesPerRequest: 1_000,
};
const ref = (feature: string) => ({ featureView: chargesView.name, feature, version: 1 });

interface CleanRecord {
  readonly customer: string;
  readonly eventTimeMs: number;
  readonly raw: { topic: string; partition: number; offset: number };
  /** Kafka timestamp of the events.clean record. */
  readonly producedAtMs?: number;
}

function cleanValue(record: CleanRecord): Buffer {
  const value: CleanEventValue = {
    envelope: {
      messageId: `m-${record.raw.partition}-${record.raw.offset}`,
      type: 'track',
      event: 'Carrier Billing Charge',
      userId: record.customer,
      timestamp: new Date(record.eventTimeMs).toISOString(),
      receivedAt: new Date(record.eventTimeMs).toISOString(),
      context: { channel: 'app' },
      tenant: 'spec',
      source: 'spec-app',
      properties: { currency: 'TWD', amount: 10, merchant: 'm1' },
    },
    processing: { raw: { ...record.raw, offset: String(record.raw.offset) }, eventSchema: null, clockSkewMs: 0, tokenizedPaths: [], processedAt: new Date(NOW).toISOString() },
  };
  return encodeTopicValue(TOPICS.eventsClean, value);
}

/** One events.clean topic: records per partition (offsets from `low`), consumed from the start offsets given. */
class FakeTopic {
  readonly partitions = new Map<number, { low: number; messages: ConsumedMessage[] }>();

  constructor(partitionCount: number) {
    for (let p = 0; p < partitionCount; p += 1) this.partitions.set(p, { low: 0, messages: [] });
  }

  append(partition: number, records: readonly CleanRecord[]): void {
    const log = this.partitions.get(partition)!;
    for (const record of records) {
      const offset = log.low + log.messages.length;
      log.messages.push({
        topic: TOPIC,
        partition,
        offset: String(offset),
        key: Buffer.from(record.customer),
        value: cleanValue(record),
        headers: {},
        timestamp: String(record.producedAtMs ?? record.eventTimeMs),
        traceContext: context.active(),
      });
    }
  }

  /** Retention: drops records before `low`. */
  truncate(partition: number, low: number): void {
    const log = this.partitions.get(partition)!;
    log.messages = log.messages.filter((message) => Number(message.offset) >= low);
    log.low = low;
  }

  kafka(): KafkaClient {
    const fake = {
      topicOffsets: (topic: string) => {
        expect(topic).toBe(TOPIC);
        return Promise.resolve([...this.partitions].map(([partition, log]) => ({ partition, low: String(log.low), high: String(log.low + log.messages.length) })));
      },
      consumer: (options: ConsumerOptions) => ({
        start: async (handler: BatchHandler) => {
          for (const start of options.startOffsets ?? []) {
            const messages = this.partitions.get(start.partition)!.messages.filter((message) => BigInt(message.offset) >= BigInt(start.offset));
            if (messages.length > 0) await handler({ topic: TOPIC, partition: start.partition, messages, highWatermark: '0', heartbeat: () => Promise.resolve() });
          }
        },
        check: () => Promise.resolve(),
        disconnect: () => Promise.resolve(),
      }),
    };
    return fake as unknown as KafkaClient;
  }
}

/** Snapshots in memory, named like the S3 store's keys (time-ordered). */
class FakeSnapshots {
  readonly objects = new Map<string, Buffer>();

  write(body: Buffer, createdAtMs: number): Promise<string> {
    const key = `${String(createdAtMs).padStart(15, '0')}-${this.objects.size}.snapshot`;
    this.objects.set(key, body);
    return Promise.resolve(key);
  }

  keys(): Promise<string[]> {
    return Promise.resolve([...this.objects.keys()].sort());
  }

  read(key: string): Promise<Buffer> {
    return Promise.resolve(this.objects.get(key)!);
  }

  prune(): Promise<void> {
    return Promise.resolve();
  }
}

async function startStore(topic: FakeTopic, snapshots: FakeSnapshots, now = () => NOW): Promise<OnlineFeatureStore> {
  const store = new OnlineFeatureStore({ views: [chargesView], settings, kafka: topic.kafka(), snapshots: snapshots as unknown as SnapshotStore, logger, now });
  store.start();
  for (let i = 0; i < 100 && !store.ready; i += 1) await new Promise((resolve) => setTimeout(resolve, 1));
  expect(store.ready).toBe(true);
  return store;
}

async function count7d(store: OnlineFeatureStore, customer: string): Promise<unknown> {
  const [row] = await store.read([ref('count_7d')], [customer], NOW);
  return row![0]!.value;
}

function charges(customer: string, rawOffsets: readonly number[], rawPartition = 0): CleanRecord[] {
  return rawOffsets.map((offset) => ({ customer, eventTimeMs: NOW - DAY_MS - offset * 60_000, raw: { topic: 'events.raw', partition: rawPartition, offset } }));
}

describe('OnlineFeatureStore', () => {
  it('applies a record the ETL produced again on a replay once, also after a restore from a snapshot', async () => {
    const topic = new FakeTopic(2);
    const snapshots = new FakeSnapshots();
    // A raw batch 10..13, sent grouped by trace (12 before 11), then the batch replayed in full.
    topic.append(0, charges('c1', [10, 12, 13, 11]));
    topic.append(0, charges('c1', [10, 11, 12, 13]));
    // The same raw coordinates in another clean partition are another partition's business.
    topic.append(1, charges('c2', [10, 11]));
    const first = await startStore(topic, snapshots);
    expect(await count7d(first, 'c1')).toBe(4);
    expect(await count7d(first, 'c2')).toBe(2);
    await first.stop({ snapshot: true });

    // The ETL replays the batch once more after the snapshot, then moves on to 14.
    topic.append(0, charges('c1', [12, 10, 11, 13, 14]));
    const second = await startStore(topic, snapshots);
    expect(await count7d(second, 'c1')).toBe(5);
    await second.stop({ snapshot: false });
  });

  it('restores from an older kept snapshot when the newest is damaged, and replays from its offsets', async () => {
    const topic = new FakeTopic(1);
    const snapshots = new FakeSnapshots();
    topic.append(0, charges('c1', [1, 2, 3]));
    const first = await startStore(topic, snapshots);
    await first.stop({ snapshot: true });
    topic.append(0, charges('c1', [4, 5]));
    const second = await startStore(topic, snapshots, () => NOW + 1);
    await second.stop({ snapshot: true });
    expect(snapshots.objects.size).toBe(2);
    const newest = (await snapshots.keys())[1]!;
    snapshots.objects.set(newest, snapshots.objects.get(newest)!.subarray(0, 100));
    // Records before the older snapshot's offset are gone: only the snapshot can hold them.
    topic.truncate(0, 3);
    topic.append(0, charges('c1', [6]));

    const third = await startStore(topic, snapshots);
    expect(await count7d(third, 'c1')).toBe(6);
    expect(third.completeFromMs).toBe(-Infinity);
    await third.stop({ snapshot: false });
  });

  it('refuses windows that reach before the first retained record after a rebuild from a truncated topic', async () => {
    const topic = new FakeTopic(2);
    const snapshots = new FakeSnapshots();
    const firstRetained = NOW - 10 * DAY_MS;
    topic.append(0, [
      { customer: 'c1', eventTimeMs: NOW - 20 * DAY_MS, raw: { topic: 'events.raw', partition: 0, offset: 1 } },
      { customer: 'c1', eventTimeMs: firstRetained, raw: { topic: 'events.raw', partition: 0, offset: 2 } },
      ...charges('c1', [3, 4]),
    ]);
    topic.append(1, charges('c2', [1]));
    topic.truncate(0, 1); // the 20-day-old charge is gone
    const store = await startStore(topic, snapshots);

    const [row] = await store.read([ref('count_1d'), ref('count_7d')], ['c1'], NOW);
    expect(row!.map((value) => value.value)).toEqual([null, 2]);
    // days_since_charge looks back 30 days: the missing charge may be the last one in it.
    const refused = await store.read([ref('count_7d'), ref('days_since_charge')], ['c1'], NOW).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe('UNAVAILABLE');
    expect((refused as DomainError).details).toEqual({
      completeFrom: new Date(firstRetained).toISOString(),
      features: [{ feature: 'test_charges@1.days_since_charge', availableFrom: new Date(firstRetained + 30 * DAY_MS).toISOString() }],
    });
    // Served again once its window no longer reaches before the coverage.
    await expect(store.read([ref('days_since_charge')], ['c1'], firstRetained + 30 * DAY_MS)).resolves.toHaveLength(1);
    expect(store.completeFromMs).toBe(firstRetained);
    await store.stop({ snapshot: true });

    // The coverage survives in the snapshot, and a gap after it moves it on.
    const restored = await startStore(topic, snapshots);
    expect(restored.completeFromMs).toBe(firstRetained);
    await restored.stop({ snapshot: false });
  });

  it('moves the coverage to the first retained record when records after the snapshot are gone', async () => {
    const topic = new FakeTopic(1);
    const snapshots = new FakeSnapshots();
    topic.append(0, charges('c1', [1, 2]));
    const first = await startStore(topic, snapshots);
    await expect(first.read([ref('count_7d')], ['c1'], NOW)).resolves.toHaveLength(1);
    await first.stop({ snapshot: true });
    const gapEnd = NOW - 2 * DAY_MS;
    topic.append(0, [
      { customer: 'c1', eventTimeMs: NOW - 3 * DAY_MS, raw: { topic: 'events.raw', partition: 0, offset: 3 } },
      { customer: 'c1', eventTimeMs: gapEnd, raw: { topic: 'events.raw', partition: 0, offset: 4 } },
    ]);
    topic.truncate(0, 3); // offset 2 (raw 3) is gone before the next start read it
    const second = await startStore(topic, snapshots);
    await expect(second.read([ref('count_1d')], ['c1'], NOW)).resolves.toHaveLength(1);
    await expect(second.read([ref('count_7d')], ['c1'], NOW)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(second.completeFromMs).toBe(gapEnd);
    await second.stop({ snapshot: false });
  });
});
