import { randomBytes } from 'node:crypto';
import type { ObjectStore } from '@kuroshio/object-store';

export interface SnapshotLocation {
  readonly bucket: string;
  /** Key prefix ending in `/`: `feature-store/online-snapshots/<consumer group>/`. */
  readonly prefix: string;
}

export function snapshotPrefix(groupId: string): string {
  return `feature-store/online-snapshots/${groupId}/`;
}

/**
 * Snapshots in S3 under one prefix per consumer group, named by creation time (zero-padded, so the
 * newest sorts last) plus a random suffix so two writers never overwrite each other.
 */
export class SnapshotStore {
  constructor(
    private readonly objects: ObjectStore,
    private readonly location: SnapshotLocation,
  ) {}

  async write(body: Buffer, createdAtMs: number, metadata: Record<string, string>): Promise<string> {
    const key = `${this.location.prefix}${String(createdAtMs).padStart(15, '0')}-${randomBytes(4).toString('hex')}.snapshot`;
    await this.objects.put(this.location.bucket, key, body, { contentType: 'application/octet-stream', metadata });
    return key;
  }

  /** Keys of the snapshots, oldest first. */
  async keys(): Promise<string[]> {
    const keys: string[] = [];
    for await (const object of this.objects.list(this.location.bucket, this.location.prefix)) {
      if (object.key.endsWith('.snapshot')) keys.push(object.key);
    }
    return keys.sort();
  }

  async read(key: string): Promise<Buffer> {
    return this.objects.get(this.location.bucket, key);
  }

  /** Removes all but the newest `keep`. */
  async prune(keep: number): Promise<void> {
    const keys = await this.keys();
    for (const key of keys.slice(0, Math.max(0, keys.length - keep))) {
      await this.objects.remove(this.location.bucket, key);
    }
  }
}
