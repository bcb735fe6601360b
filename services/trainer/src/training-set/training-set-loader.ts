import { createHash } from 'node:crypto';
import type { ObjectStore } from '@kuroshio/object-store';
import { parseS3Uri, s3Uri, type S3Location } from './s3-uri.js';
import { trainingSetManifestSchema, type TrainingSetManifest } from './training-set-manifest.js';

/** An export to read: by id (in the lake bucket) or by the URI of its manifest. */
export type TrainingSetReference = { readonly exportId: string } | { readonly manifestUri: string };

export interface LoadedTrainingSet {
  readonly manifest: TrainingSetManifest;
  readonly manifestUri: string;
  readonly dataUri: string;
  /** data.parquet, checked against the manifest's dataSha256. */
  readonly data: Uint8Array;
}

const EXPORT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** `training_set` of a job spec: an export id, or an s3:// URI of a manifest.json. */
export function trainingSetReference(value: string): TrainingSetReference {
  if (value.startsWith('s3://')) return { manifestUri: value };
  if (!EXPORT_ID.test(value)) throw new Error(`training_set must be an export id or an s3:// manifest URI, got "${value}"`);
  return { exportId: value };
}

/** Reads an export's manifest and data from the lake and checks the data against the manifest. */
export async function loadTrainingSet(store: ObjectStore, lakeBucket: string, reference: TrainingSetReference): Promise<LoadedTrainingSet> {
  const manifestAt: S3Location =
    'exportId' in reference ? { bucket: lakeBucket, key: `training-sets/${reference.exportId}/manifest.json` } : parseS3Uri(reference.manifestUri);
  const manifestBytes = await store.get(manifestAt.bucket, manifestAt.key);
  const parsed = trainingSetManifestSchema.safeParse(JSON.parse(manifestBytes.toString('utf8')));
  if (!parsed.success) throw new Error(`training-set manifest ${s3Uri(manifestAt.bucket, manifestAt.key)} is invalid: ${parsed.error.message}`);
  const manifest = parsed.data;
  const data = await store.get(manifestAt.bucket, manifest.dataObject);
  const sha256 = createHash('sha256').update(data).digest('hex');
  if (sha256 !== manifest.dataSha256) {
    throw new Error(`training-set data ${manifest.dataObject} has sha256 ${sha256}, the manifest says ${manifest.dataSha256}`);
  }
  return { manifest, manifestUri: s3Uri(manifestAt.bucket, manifestAt.key), dataUri: s3Uri(manifestAt.bucket, manifest.dataObject), data };
}
