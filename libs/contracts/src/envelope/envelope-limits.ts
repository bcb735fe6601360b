/**
 * Bounds on an event envelope. The collector accepts input from the internet; each bound caps the
 * memory and CPU one event can cost and keeps pathological shapes (deep nesting, huge keys) out of
 * ClickHouse, Parquet and the feature store.
 */
export const ENVELOPE_LIMITS = {
  /** messageId, userId, anonymousId, groupId, previousId. */
  maxIdLength: 256,
  /** event, name, category. */
  maxNameLength: 256,
  /** tenant and source names. */
  maxSlugLength: 128,
  /** Any string anywhere in the envelope (LINE caps a text message at 5,000 characters). */
  maxStringLength: 8192,
  maxKeyLength: 256,
  /** Containers nested below the envelope itself: `properties` is at depth 1. */
  maxDepth: 10,
  maxKeysPerObject: 256,
  maxArrayLength: 1000,
  /** Every value in the tree, containers included. */
  maxValues: 5000,
  /** Issues reported per event; the rest are dropped so a hostile event cannot amplify. */
  maxIssues: 20,
} as const;

export type EnvelopeLimits = typeof ENVELOPE_LIMITS;

/** Keys that would reach an object's prototype if a consumer copied them naively. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
