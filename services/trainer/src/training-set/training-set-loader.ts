import { createHash } from 'node:crypto';
import type { ObjectStore } from '@kuroshio/object-store';
import { parquetMetadata } from 'hyparquet';
import { manifestContentHash } from './manifest-content-hash.js';
import { parseS3Uri, s3Uri, type S3Location } from './s3-uri.js';
import { trainingSetManifestSchema, type TrainingSetManifest } from './training-set-manifest.js';

/** An export to read: by id (in the lake bucket) or by the URI of its manifest. */
export type TrainingSetReference = { readonly exportId: string } | { readonly manifestUri: string };

export interface LoadedTrainingSet {
  readonly manifest: TrainingSetManifest;
  readonly manifestUri: string;
  readonly dataUri: string;
  /** data.parquet, checked against the manifest's dataSha256 and rowCount. */
  readonly data: Uint8Array;
}

const EXPORT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** `training_set` of a job spec: an export id, or an s3:// URI of a manifest.json. */
export function trainingSetReference(value: string): TrainingSetReference {
  if (value.startsWith('s3://')) return { manifestUri: value };
  if (!EXPORT_ID.test(value)) throw new Error(`training_set must be an export id or an s3:// manifest URI, got "${value}"`);
  return { exportId: value };
}

/**
 * Reads an export's manifest and data from the lake and checks both: the manifest's contentHash
 * against its fields (that hash becomes the version's dataset_manifest_hash, so it must describe this
 * manifest), the data's SHA-256 against dataSha256 and its Parquet row count against rowCount.
 */
export async function loadTrainingSet(store: Pick<ObjectStore, 'get'>, lakeBucket: string, reference: TrainingSetReference): Promise<LoadedTrainingSet> {
  const manifestAt: S3Location =
    'exportId' in reference ? { bucket: lakeBucket, key: `training-sets/${reference.exportId}/manifest.json` } : parseS3Uri(reference.manifestUri);
  const manifestUri = s3Uri(manifestAt.bucket, manifestAt.key);
  const stored: unknown = JSON.parse((await store.get(manifestAt.bucket, manifestAt.key)).toString('utf8'));
  const parsed = trainingSetManifestSchema.safeParse(stored);
  if (!parsed.success) throw new Error(`training-set manifest ${manifestUri} is invalid: ${parsed.error.message}`);
  const manifest = parsed.data;
  const contentHash = manifestContentHash(stored as Record<string, unknown>);
  if (contentHash !== manifest.contentHash) {
    throw new Error(`training-set manifest ${manifestUri} has contentHash ${manifest.contentHash}, but its fields hash to ${contentHash} (RFC 8785 canonical JSON, ADR 0014)`);
  }
  const data = await store.get(manifestAt.bucket, manifest.dataObject);
  const sha256 = createHash('sha256').update(data).digest('hex');
  if (sha256 !== manifest.dataSha256) {
    throw new Error(`training-set data ${manifest.dataObject} has sha256 ${sha256}, the manifest says ${manifest.dataSha256}`);
  }
  const rows = parquetRowCount(data);
  if (rows !== manifest.rowCount) throw new Error(`training-set data ${manifest.dataObject} has ${rows} rows, the manifest says rowCount ${manifest.rowCount}`);
  return { manifest, manifestUri, dataUri: s3Uri(manifestAt.bucket, manifest.dataObject), data };
}

function parquetRowCount(data: Uint8Array): number {
  const file = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  return Number(parquetMetadata(file).num_rows);
}
