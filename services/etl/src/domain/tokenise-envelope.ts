import type { CleanEnvelope } from '@kuroshio/contracts';
import { treeChanges } from './changed-paths.js';
import type { PiiScrubber } from './pii-scrubber.js';

// Fields that can carry customer data. messageId, tenant, source, type, event and the instants are
// the platform's own (ids from SDKs, names from the tracking plan) and stay as sent.
const SCRUBBED_FIELDS = ['userId', 'anonymousId', 'groupId', 'previousId', 'name', 'category', 'properties', 'traits', 'context'] as const;

type ScrubbedPart = Partial<Pick<CleanEnvelope, (typeof SCRUBBED_FIELDS)[number]>>;

export interface TokenisedEnvelope {
  readonly envelope: CleanEnvelope;
  /** e.g. `properties.email`, `userId`. */
  readonly tokenizedPaths: string[];
}

/**
 * Replaces PII in every customer-data field: patterns anywhere (the tokenizer scans every string),
 * plus the fields the event's schema marks `x-pii`, tokenised whole. `explicitPaths` are relative
 * to the whole envelope (`properties.msisdn`, `traits.address`).
 */
export function tokeniseEnvelope(envelope: CleanEnvelope, explicitPaths: readonly string[], scrubber: PiiScrubber): TokenisedEnvelope {
  const part: ScrubbedPart = {};
  for (const field of SCRUBBED_FIELDS) {
    if (envelope[field] !== undefined) (part as Record<string, unknown>)[field] = envelope[field];
  }
  const { value: scrubbed } = scrubber.scrubJson(part, explicitPaths);
  // scrubJson copies on write: the same object back means no PII, and nothing to compare or copy.
  if (scrubbed === part) return { envelope, tokenizedPaths: [] };
  return { envelope: { ...envelope, ...scrubbed }, tokenizedPaths: treeChanges(part, scrubbed).paths.slice(0, 1000) };
}
