import { z } from 'zod';
import { EXPERIMENT_KEY_PATTERN } from '../naming.js';
import { instantSchema } from './shared-schemas.js';

/** experiment.exposures: a unit experienced its variant (analysis starts at the first one). */
export const exposureValueSchema = z.object({
  experimentKey: z.string().regex(EXPERIMENT_KEY_PATTERN),
  variant: z.string().min(1).max(64),
  unitId: z.string().min(1).max(256),
  /** Experiment revision the assignment was made under. */
  revision: z.number().int().min(1),
  /** Service that recorded the exposure. */
  recordedBy: z.enum(['experiment', 'inference']),
  /** The prediction request that exposed the unit, when there was one. */
  requestId: z.string().min(1).max(128).nullable(),
  exposedAt: instantSchema,
});

export type ExposureValue = z.output<typeof exposureValueSchema>;
