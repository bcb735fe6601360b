import { z } from 'zod';

/** A feature column of a training set, as the feature store's manifest lists it. */
export const trainingSetFeatureSchema = z.object({
  featureView: z.string().min(1),
  feature: z.string().min(1),
  version: z.number().int().nonnegative(),
  column: z.string().min(1),
  valueType: z.string().min(1),
});

/** `training-sets/<exportId>/manifest.json` (the training-set export contract). */
export const trainingSetManifestSchema = z.object({
  exportId: z.string().min(1),
  createdAt: z.string(),
  featureViews: z.array(z.object({ name: z.string().min(1), version: z.number().int().nonnegative() })),
  features: z.array(trainingSetFeatureSchema),
  label: z.unknown(),
  timeRange: z.object({ start: z.unknown(), end: z.unknown() }).nullable(),
  rowCount: z.number().int().nonnegative(),
  positiveCount: z.number().int().nonnegative(),
  dataObject: z.string().min(1),
  dataSha256: z.string().regex(/^[0-9a-f]{64}$/),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
});

export type TrainingSetManifest = z.infer<typeof trainingSetManifestSchema>;
export type TrainingSetFeature = z.infer<typeof trainingSetFeatureSchema>;

/** Value types the tabular families read as numbers; string columns feed the text classifier only. */
export function isNumericValueType(valueType: string): boolean {
  return ['double', 'int64', 'bool', 'float', 'int32'].includes(normaliseValueType(valueType));
}

export function isStringValueType(valueType: string): boolean {
  return normaliseValueType(valueType) === 'string';
}

// Manifests may spell the type as the proto enum (VALUE_TYPE_DOUBLE) or the domain name (double).
function normaliseValueType(valueType: string): string {
  return valueType.toLowerCase().replace(/^value_type_/, '');
}

/** `<featureView>__<feature>`: the column name of a feature in a training set (the contract). */
export function featureColumn(ref: { featureView: string; feature: string }): string {
  return `${ref.featureView}__${ref.feature}`;
}
