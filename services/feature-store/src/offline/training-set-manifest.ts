import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { z } from 'zod';

/**
 * manifest.json of a training-set export (the contract the trainer reads; ADR 0014). `contentHash` is
 * the SHA-256 of the RFC 8785 (JCS) canonical JSON of every other field except `createdAt` — which
 * includes `dataSha256`, the SHA-256 of data.parquet — so any change to the data or to what it claims
 * to be changes the hash the model registry records as lineage.
 */

export const TRAINING_SETS_PREFIX = 'training-sets/';

const featureViewRef = z.strictObject({ name: z.string(), version: z.number().int() });
const featureColumn = z.strictObject({
  featureView: z.string(),
  feature: z.string(),
  version: z.number().int(),
  column: z.string(),
  valueType: z.enum(['double', 'int64', 'string', 'bool']),
});

export const trainingSetManifestSchema = z.strictObject({
  exportId: z.string(),
  createdAt: z.string(),
  featureViews: z.array(featureViewRef),
  features: z.array(featureColumn),
  label: z.unknown(),
  timeRange: z.strictObject({ start: z.string().nullable(), end: z.string().nullable() }).nullable(),
  rowCount: z.number().int().min(0),
  positiveCount: z.number().int().min(0),
  dataObject: z.string(),
  dataSha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** SHA-256 of what the export was asked for (training-set-request-hash.ts); absent in older manifests. */
  requestHash: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
});

export type TrainingSetManifest = z.output<typeof trainingSetManifestSchema>;
export type ManifestFields = Omit<TrainingSetManifest, 'contentHash'>;

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function contentHashOf(fields: ManifestFields | TrainingSetManifest): string {
  const { createdAt: _createdAt, ...hashed } = fields as TrainingSetManifest;
  delete (hashed as Partial<TrainingSetManifest>).contentHash;
  const text = canonicalize(hashed);
  if (text === undefined) throw new Error('manifest cannot be canonicalised');
  return sha256Hex(text);
}

export function withContentHash(fields: ManifestFields): TrainingSetManifest {
  return { ...fields, contentHash: contentHashOf(fields) };
}

export function dataObjectKey(exportId: string): string {
  return `${TRAINING_SETS_PREFIX}${exportId}/data.parquet`;
}

export function manifestObjectKey(exportId: string): string {
  return `${TRAINING_SETS_PREFIX}${exportId}/manifest.json`;
}

/** Parses a stored manifest and checks its content hash; throws on either problem. */
export function parseManifest(text: string): TrainingSetManifest {
  const manifest = trainingSetManifestSchema.parse(JSON.parse(text));
  const expected = contentHashOf(manifest);
  if (manifest.contentHash !== expected) throw new Error(`manifest ${manifest.exportId}: contentHash ${manifest.contentHash} does not match its fields (${expected})`);
  return manifest;
}
