import type { ObjectStore } from '@kuroshio/object-store';
import { manifestObjectKey, parseManifest, type TrainingSetManifest } from './training-set-manifest.js';

function isMissingObject(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'NoSuchKey' || code === 'NotFound';
}

/** The manifest of an export as stored in the lake (hash checked), or undefined when there is none. */
export async function readStoredManifest(store: ObjectStore, bucket: string, exportId: string): Promise<TrainingSetManifest | undefined> {
  let body: Buffer;
  try {
    body = await store.get(bucket, manifestObjectKey(exportId));
  } catch (error) {
    if (isMissingObject(error)) return undefined;
    throw error;
  }
  return parseManifest(body.toString('utf8'));
}
