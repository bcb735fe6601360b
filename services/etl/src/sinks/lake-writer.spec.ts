import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DedupWindow } from '../domain/dedup-window.js';
import { EventSchemas } from '../domain/event-schemas.js';
import { processBatch } from '../domain/process-batch.js';
import type { RawRecord } from '../domain/raw-record.js';
import { PiiTokenizer } from '../pii/index.js';
import { EVENT_SCHEMA_DIRECTORY } from '../schema-directory.js';
import { rawEventValue, rawRecord } from '../testing/raw-event-fixtures.js';
import { LakeWriter, type LakeStore } from './lake-writer.js';

class MemoryStore implements LakeStore {
  readonly objects = new Map<string, Buffer>();
  async put(_bucket: string, key: string, body: Buffer | Uint8Array | string) {
    this.objects.set(key, Buffer.from(body));
  }
  async get(_bucket: string, key: string) {
    const body = this.objects.get(key);
    if (body === undefined) throw Object.assign(new Error('no such key'), { code: 'NoSuchKey' });
    return body;
  }
  async remove(_bucket: string, key: string) {
    this.objects.delete(key);
  }
  dataKeys() {
    return [...this.objects.keys()].filter((key) => !key.includes('_manifests')).sort();
  }
}

const schemas = await EventSchemas.load(EVENT_SCHEMA_DIRECTORY);
const processing = () => ({
  schemas,
  scrubber: new PiiTokenizer({ key: Buffer.alloc(32, 1) }),
  dedup: new DedupWindow(100),
  eventTime: { lateAfterMs: 86_400_000, futureToleranceMs: 300_000 },
  now: () => new Date('2026-11-27T03:00:00Z'),
});

function records(count: number, start: number): RawRecord[] {
  return Array.from({ length: count }, (_, i) =>
    rawRecord(rawEventValue({ messageId: `m-${start + i}`, event: 'Free Form', timestamp: `2026-11-27T0${(start + i) % 2 === 0 ? 0 : 1}:00:00Z`, sentAt: undefined }), {
      offset: String(start + i),
    }),
  );
}

describe('LakeWriter', () => {
  it('writes raw/ NDJSON.gz and clean/ Parquet per event hour, keyed by the batch offsets', async () => {
    const store = new MemoryStore();
    const writer = new LakeWriter(store, 'lake', 'p/');
    const keys = await writer.writeBatch(processBatch({ topic: 't', partition: 0, records: records(4, 10) }, processing()));
    expect(keys.sort()).toEqual([
      'p/clean/dt=2026-11-27/hour=00/topic=t/partition=0/offsets=000000010-000000013.parquet',
      'p/clean/dt=2026-11-27/hour=01/topic=t/partition=0/offsets=000000010-000000013.parquet',
      'p/raw/dt=2026-11-27/hour=00/topic=t/partition=0/offsets=000000010-000000013.ndjson.gz',
      'p/raw/dt=2026-11-27/hour=01/topic=t/partition=0/offsets=000000010-000000013.ndjson.gz',
    ]);
    const lines = gunzipSync(store.objects.get(keys.find((key) => key.includes('raw/dt=2026-11-27/hour=00'))!)!).toString('utf8').trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { offset: string }).offset)).toEqual(['10', '12']);
  });

  it('leaves each record in one object when a redelivered batch is fetched with other bounds', async () => {
    const store = new MemoryStore();
    const writer = new LakeWriter(store, 'lake', '');
    // First attempt fetched 10..13 and failed later; the redelivery fetches only 10..11, then 12..15.
    await writer.writeBatch(processBatch({ topic: 't', partition: 0, records: records(4, 10) }, processing()));
    await writer.writeBatch(processBatch({ topic: 't', partition: 0, records: records(2, 10) }, processing()));
    await writer.writeBatch(processBatch({ topic: 't', partition: 0, records: records(4, 12) }, processing()));
    const rawOffsets = store
      .dataKeys()
      .filter((key) => key.startsWith('raw/'))
      .flatMap((key) => gunzipSync(store.objects.get(key)!).toString('utf8').trim().split('\n'))
      .map((line) => (JSON.parse(line) as { offset: string }).offset)
      .sort();
    expect(rawOffsets).toEqual(['10', '11', '12', '13', '14', '15']);
  });

  it('leaves each record in one object after a crash at any step of a write, redelivered with other bounds', async () => {
    const readOffsets = (store: MemoryStore, zone: string) =>
      store
        .dataKeys()
        .filter((key) => key.startsWith(zone))
        .flatMap((key) =>
          zone === 'raw/'
            ? gunzipSync(store.objects.get(key)!).toString('utf8').trim().split('\n').map((line) => (JSON.parse(line) as { offset: string }).offset)
            : [key],
        );
    // Crash after the n-th store operation of the first attempt (manifest, objects, removals), for every n.
    for (let crashAfter = 1; crashAfter <= 6; crashAfter++) {
      const store = new MemoryStore();
      let operations = 0;
      const crashing: LakeStore = {
        put: async (bucket, key, body) => {
          if (++operations > crashAfter) throw new Error('kill -9');
          await store.put(bucket, key, body);
        },
        get: (bucket, key) => store.get(bucket, key),
        remove: async (bucket, key) => {
          if (++operations > crashAfter) throw new Error('kill -9');
          await store.remove(bucket, key);
        },
      };
      // A first attempt at 10..13 completed but was not committed; the second, at 10..15, dies part way.
      await new LakeWriter(store, 'lake', '').writeBatch(processBatch({ topic: 't', partition: 0, records: records(4, 10) }, processing()));
      await new LakeWriter(crashing, 'lake', '').writeBatch(processBatch({ topic: 't', partition: 0, records: records(6, 10) }, processing())).catch(() => undefined);
      // The restarted process fetches 10..11, then 12..17.
      const writer = new LakeWriter(store, 'lake', '');
      await writer.writeBatch(processBatch({ topic: 't', partition: 0, records: records(2, 10) }, processing()));
      await writer.writeBatch(processBatch({ topic: 't', partition: 0, records: records(6, 12) }, processing()));
      expect(readOffsets(store, 'raw/').sort(), `crash after ${crashAfter} operations`).toEqual(['10', '11', '12', '13', '14', '15', '16', '17']);
      expect(readOffsets(store, 'clean/').sort(), `crash after ${crashAfter} operations`).toEqual([
        'clean/dt=2026-11-27/hour=00/topic=t/partition=0/offsets=000000010-000000011.parquet',
        'clean/dt=2026-11-27/hour=00/topic=t/partition=0/offsets=000000012-000000017.parquet',
        'clean/dt=2026-11-27/hour=01/topic=t/partition=0/offsets=000000010-000000011.parquet',
        'clean/dt=2026-11-27/hour=01/topic=t/partition=0/offsets=000000012-000000017.parquet',
      ]);
    }
  });

  it('overwrites the same objects when the same batch comes again', async () => {
    const store = new MemoryStore();
    const writer = new LakeWriter(store, 'lake', '');
    const batch = { topic: 't', partition: 0, records: records(3, 0) };
    await writer.writeBatch(processBatch(batch, processing()));
    const first = new Map(store.objects);
    await writer.writeBatch(processBatch(batch, processing()));
    expect([...store.objects.keys()].sort()).toEqual([...first.keys()].sort());
  });
});
