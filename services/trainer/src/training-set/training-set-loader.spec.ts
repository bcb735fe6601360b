import { createHash } from 'node:crypto';
import type { ObjectStore } from '@kuroshio/object-store';
import { describe, expect, it } from 'vitest';
import { syntheticTrainingSet, type SyntheticTrainingSet } from '../testing/synthetic-training-set.js';
import { manifestContentHash } from './manifest-content-hash.js';
import { loadTrainingSet } from './training-set-loader.js';

const LAKE = 'lake';

/** The lake as the loader reads it: the set's data and the given manifest text. */
function lakeWith(set: SyntheticTrainingSet, manifest: Record<string, unknown>): Pick<ObjectStore, 'get'> {
  const objects = new Map<string, Buffer>([
    [set.manifest.dataObject, Buffer.from(set.data)],
    [`training-sets/${set.manifest.exportId}/manifest.json`, Buffer.from(JSON.stringify(manifest))],
  ]);
  return {
    get: async (bucket: string, key: string) => {
      const found = bucket === LAKE ? objects.get(key) : undefined;
      if (found === undefined) throw new Error(`no object ${bucket}/${key}`);
      return found;
    },
  };
}

const set = syntheticTrainingSet({ exportId: 'ts-loader', rows: 50, features: 2, seed: 1 });
const load = (manifest: Record<string, unknown>) => loadTrainingSet(lakeWith(set, manifest), LAKE, { exportId: 'ts-loader' });

describe('loadTrainingSet', () => {
  it('loads a set whose manifest, data and row count agree', async () => {
    const loaded = await load(set.manifest);
    expect(loaded.manifest.contentHash).toBe(set.manifest.contentHash);
    expect(loaded.manifestUri).toBe('s3://lake/training-sets/ts-loader/manifest.json');
  });

  it('refuses a manifest whose contentHash is not the canonical-JSON hash of its fields', async () => {
    const { createdAt: _createdAt, contentHash: _contentHash, ...fields } = set.manifest;
    // Plain JSON.stringify (key order as written) is not RFC 8785: the hash a reader recomputes differs.
    const plainJson = createHash('sha256').update(JSON.stringify(fields)).digest('hex');
    await expect(load({ ...set.manifest, contentHash: plainJson })).rejects.toThrow(/contentHash .* fields hash to/);
    // Changed after hashing: what it claims to be no longer matches the recorded hash.
    await expect(load({ ...set.manifest, label: { another: 'label' } })).rejects.toThrow(new RegExp(`has contentHash ${set.manifest.contentHash}, but its fields hash to`));
  });

  it('refuses a manifest whose rowCount is not the Parquet row count', async () => {
    const { createdAt: _createdAt, contentHash: _contentHash, ...fields } = set.manifest;
    const wrong = { ...fields, rowCount: 51 };
    await expect(load({ ...wrong, createdAt: set.manifest.createdAt, contentHash: manifestContentHash(wrong) })).rejects.toThrow(/has 50 rows, the manifest says rowCount 51/);
  });
});
