import { gzipSync } from 'node:zlib';
import type { ArchivedRecord, CleanEvent, ProcessedBatch } from '../domain/batch-outcome.js';
import { batchManifestKey, hourOf, lakeObjectKey, type LakeZone } from '../domain/lake-keys.js';
import { encodeCleanParquet } from './clean-parquet.js';

// Level 3 instead of zlib's 6: on ~580-byte events it gzips a 2 000-record batch in about two thirds
// of the time for objects about a third larger (docs/decisions/0011-etl-scaling.md); raw/ is written
// on every batch and read rarely.
const RAW_GZIP_LEVEL = 3;

/** The part of the object store the lake needs (ObjectStore satisfies it). */
export interface LakeStore {
  put(bucket: string, key: string, body: Buffer | Uint8Array | string, options?: { contentType?: string }): Promise<unknown>;
  get(bucket: string, key: string): Promise<Buffer>;
  remove(bucket: string, key: string): Promise<void>;
}

interface BatchManifest {
  firstOffset: string;
  lastOffset: string;
  keys: string[];
}

/**
 * Writes one batch to raw/ (gzip NDJSON, every record) and clean/ (Parquet, accepted events), one
 * object per event hour, keyed by the batch's offsets. A manifest per batch start lets a
 * redelivered batch (always starting at the same committed offset) delete what a previous,
 * differently sized attempt wrote, so each record lands in exactly one object of each zone.
 */
export class LakeWriter {
  constructor(
    private readonly store: LakeStore,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {}

  async writeBatch(batch: ProcessedBatch): Promise<string[]> {
    const manifestKey = batchManifestKey(this.prefix, batch.topic, batch.partition, batch.firstOffset);
    const previous = await this.readManifest(manifestKey);
    const objects = [...this.rawObjects(batch), ...this.cleanObjects(batch)];
    const keys = objects.map((object) => object.key);
    const written = new Set(keys);
    const stale = (previous?.keys ?? []).filter((key) => !written.has(key));
    // Intent first: a crash while the objects are being written leaves a list that covers them.
    await this.writeManifest(manifestKey, batch, [...keys, ...stale]);
    await Promise.all(objects.map(({ key, body, contentType }) => this.store.put(this.bucket, key, body, { contentType })));
    await Promise.all(stale.map((key) => this.store.remove(this.bucket, key)));
    if (stale.length > 0) await this.writeManifest(manifestKey, batch, keys);
    return keys;
  }

  private async writeManifest(key: string, batch: ProcessedBatch, keys: string[]): Promise<void> {
    const manifest: BatchManifest = { firstOffset: batch.firstOffset, lastOffset: batch.lastOffset, keys };
    await this.store.put(this.bucket, key, JSON.stringify(manifest), { contentType: 'application/json' });
  }

  private rawObjects(batch: ProcessedBatch) {
    return [...groupByHour(batch.archived, (entry: ArchivedRecord) => entry.eventTime)].map(([hour, entries]) => ({
      key: this.key(batch, 'raw', hour),
      body: gzipSync(entries.map((entry) => `${JSON.stringify(entry.line)}\n`).join(''), { level: RAW_GZIP_LEVEL }),
      contentType: 'application/x-ndjson',
    }));
  }

  private cleanObjects(batch: ProcessedBatch) {
    return [...groupByHour(batch.clean, (event: CleanEvent) => event.eventTime)].map(([hour, events]) => ({
      key: this.key(batch, 'clean', hour),
      body: encodeCleanParquet(events),
      contentType: 'application/vnd.apache.parquet',
    }));
  }

  private key(batch: ProcessedBatch, zone: LakeZone, hour: number): string {
    return lakeObjectKey({
      prefix: this.prefix,
      zone,
      eventHour: new Date(hour),
      topic: batch.topic,
      partition: batch.partition,
      firstOffset: batch.firstOffset,
      lastOffset: batch.lastOffset,
    });
  }

  private async readManifest(key: string): Promise<BatchManifest | undefined> {
    try {
      return JSON.parse((await this.store.get(this.bucket, key)).toString('utf8')) as BatchManifest;
    } catch (error) {
      if ((error as { code?: string }).code === 'NoSuchKey' || (error as { code?: string }).code === 'NotFound') return undefined;
      throw error;
    }
  }
}

function groupByHour<T>(items: readonly T[], timeOf: (item: T) => Date): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const hour = hourOf(timeOf(item)).getTime();
    const group = groups.get(hour);
    if (group) group.push(item);
    else groups.set(hour, [item]);
  }
  return groups;
}
