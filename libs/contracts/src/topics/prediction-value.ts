import { z } from 'zod';
import { EXPERIMENT_KEY_PATTERN, MODEL_NAME_PATTERN } from '../naming.js';
import { instantSchema, sha256HexSchema } from './shared-schemas.js';

export const SERVED_ARTIFACTS = ['full', 'quantized-uint8', 'quantized-float16'] as const;

/** serving.predictions: one record per prediction served, landed in ClickHouse. */
export const predictionValueSchema = z.object({
  /** The caller's request id (`<request>#<i>` for a PredictBatch item); callers may reuse one. */
  requestId: z.string().min(1).max(128),
  /**
   * The server's id of this one prediction, unique per served row: a redelivery of the record
   * repeats it, another prediction never does (the `predictions` dedup key, migration 0014).
   * Absent only in records written before it existed.
   */
  predictionId: z.string().min(1).max(128).optional(),
  /** The entity scored; null when the caller gave explicit features only. */
  entityId: z.string().min(1).max(256).nullable(),
  modelName: z.string().regex(MODEL_NAME_PATTERN),
  modelVersion: z.number().int().min(1),
  /** Which artifact of the version served. */
  artifact: z.enum(SERVED_ARTIFACTS),
  experimentKey: z.string().regex(EXPERIMENT_KEY_PATTERN).nullable(),
  variant: z.string().min(1).max(64).nullable(),
  scores: z.array(z.number().finite()).min(1).max(1000),
  /** Time inside the service, feature lookup included. */
  latencyMs: z.number().finite().min(0),
  /** SHA-256 of the feature vector the model saw, to audit and to find train/serve skew. */
  featureVectorHash: sha256HexSchema,
  servedAt: instantSchema,
});

export type PredictionValue = z.output<typeof predictionValueSchema>;
