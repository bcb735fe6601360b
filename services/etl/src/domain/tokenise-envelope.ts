import type { CleanEnvelope } from '@kuroshio/contracts';
import { treeChanges } from './changed-paths.js';
import type { PiiScrubber } from './pii-scrubber.js';

// Fields that can carry customer data. messageId, tenant, source, type and the instants are the
// platform's own (ids from SDKs and the collector) and stay as sent. The event name comes from the
// tracking plan but is whatever the app wrote ("Callback requested 0912345678"), so it is scanned.
const SCRUBBED_FIELDS = ['event', 'userId', 'anonymousId', 'groupId', 'previousId', 'name', 'category', 'properties', 'traits', 'context'] as const;

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
