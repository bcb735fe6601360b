import { z } from 'zod';
import { ALIAS_PATTERN, MODEL_NAME_PATTERN } from '../naming.js';
import { instantSchema } from './shared-schemas.js';

/**
 * registry.alias-changes: the alias's state after a change. The topic is compacted by key
 * (model/alias), so a consumer that reads it from the start learns every alias's current version.
 * A deleted alias is a record with version null, not a tombstone, so compaction keeps the fact.
 */
export const aliasChangeValueSchema = z.object({
  modelName: z.string().regex(MODEL_NAME_PATTERN),
  alias: z.string().regex(ALIAS_PATTERN),
  /** Version the alias points at now; null when it was deleted. */
  version: z.number().int().min(1).nullable(),
  /** Version it pointed at before; null when it was created. */
  previousVersion: z.number().int().min(1).nullable(),
  changedAt: instantSchema,
  changedBy: z.string().min(1).max(256),
  reason: z.string().max(1024),
  /** Audit log entry recording the change. */
  auditEventId: z.string().min(1).max(128),
});

export type AliasChangeValue = z.output<typeof aliasChangeValueSchema>;

/** Kafka key of an alias change: one compacted slot per model alias. */
export function aliasChangeKey(modelName: string, alias: string): string {
  return `${modelName}/${alias}`;
}
