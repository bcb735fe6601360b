import { histogram, quantileCutPoints } from '@kuroshio/stats';
import type { FeatureSpecColumn } from '@kuroshio/model-runtime';
import { z } from 'zod';
import type { TrainingSetTable } from '../training-set/training-set-table.js';

/** Bins per distribution: deciles of the reference, the usual PSI binning. */
export const DRIFT_REFERENCE_BINS = 10;

const binned = z.object({
  cutPoints: z.array(z.number()),
  counts: z.array(z.number().int().nonnegative()),
  missing: z.number().int().nonnegative(),
});

const featureDistribution = binned.extend({
  featureView: z.string().min(1),
  feature: z.string().min(1),
  version: z.number().int().nonnegative(),
  column: z.string().min(1),
});

/**
 * `driftReference` of a version's manifest.json: what the population looked like when it was
 * trained, binned once so that drift checks need neither the training set nor the model.
 * Features: decile cut points and counts of the raw values of the training split (missing counted
 * apart). Score: the same over the model's scores on the test split (held out, like live traffic).
 */
export const driftReferenceSchema = z.object({
  bins: z.number().int().min(2),
  features: z.array(featureDistribution),
  score: binned.nullable(),
});

export type BinnedDistribution = z.infer<typeof binned>;
export type FeatureDistribution = z.infer<typeof featureDistribution>;
export type DriftReference = z.infer<typeof driftReferenceSchema>;

/** Bins the numeric features of the training rows and the test scores. */
export function driftReference(
  table: TrainingSetTable,
  numeric: readonly FeatureSpecColumn[],
  trainRows: ArrayLike<number>,
  testScores: ArrayLike<number>,
): DriftReference {
  const features = numeric.map((column): FeatureDistribution => {
    const all = table.numeric.get(column.column);
    if (all === undefined) throw new Error(`training set table lacks ${column.column}`);
    const values = Float64Array.from({ length: trainRows.length }, (_, i) => all[trainRows[i] as number] as number);
    return { featureView: column.featureView, feature: column.feature, version: column.version, column: column.column, ...binnedDistribution(values) };
  });
  return { bins: DRIFT_REFERENCE_BINS, features, score: testScores.length === 0 ? null : binnedDistribution(testScores) };
}

function binnedDistribution(values: ArrayLike<number>): BinnedDistribution {
  const cutPoints = quantileCutPoints(values, DRIFT_REFERENCE_BINS);
  return { cutPoints, ...histogram(values, cutPoints) };
}
