/**
 * The feature-store's domain model of a feature view: plain data, no proto or NestJS types.
 * Views are declared in YAML under `services/feature-store/feature-views/` and loaded once at start-up;
 * the offline (ClickHouse, point-in-time) and online (events.clean state) paths both compute from
 * this one definition, which is what makes their values comparable (the parity check).
 */

import type { PropertyFilterOperator, PropertyFilterSpec, PropertyScalar } from '@kuroshio/clickhouse';

export type Aggregation =
  | 'count'
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'last_value'
  | 'distinct_count'
  | 'days_since_last';

export type FeatureValueType = 'double' | 'int64' | 'string' | 'bool';

// Property filters are the ones `@kuroshio/clickhouse` turns into SQL (shared with the experiment
// analysis and the trainer); the feature store's names for them:
export type FilterOperator = PropertyFilterOperator;
export type ScalarValue = PropertyScalar;
/** A condition on the event's `properties`, by dotted path (e.g. `payment.method`). */
export type PropertyFilter = PropertyFilterSpec;

/**
 * One feature of a view. The value of a feature for an entity at an as-of instant T (the same rule
 * offline in ClickHouse and online; docs/decisions/0014-feature-store-offline.md):
 * - an event *contributes* when it is one of the view's source events, passes every view filter,
 *   `T - windowMs <= event time < T`, and (for features with a `property`) carries the property with a
 *   value of the feature's kind: a JSON number for numeric aggregations (sum, avg, min, max, numeric
 *   last_value), a JSON string for string last_value, any non-null JSON value for distinct_count
 *   (told apart by its JSON text) and for count with a property;
 * - no contributing event: no value (NOT_FOUND, null in training sets) — for `count` too;
 * - the latest contributing event older than the view's TTL (`T - last > ttlMs`): no value (EXPIRED);
 * - otherwise: count = contributing events, sum/avg/min/max over the property, last_value = the
 *   property of the latest contributing event (ties on time: the greater messageId),
 *   distinct_count = distinct values, days_since_last = (T - last) / 86 400 000 (fractional days).
 */
export interface FeatureDefinition {
  readonly name: string;
  readonly description: string;
  readonly aggregation: Aggregation;
  /** Dotted path into `properties`; absent for `count` and `days_since_last`. */
  readonly property?: string;
  /** Window length in milliseconds, looking back from the as-of instant (exclusive of it). */
  readonly windowMs: number;
  readonly valueType: FeatureValueType;
}

export interface FeatureView {
  readonly name: string;
  readonly version: number;
  /** Entity the view is keyed by; `customer` (the events' `customer_id`). */
  readonly entity: string;
  readonly description: string;
  readonly owner: string;
  /** Track event names (`events.event`), or `type` names for non-track messages. */
  readonly sourceEvents: readonly string[];
  readonly filters: readonly PropertyFilter[];
  /** A value older than this (last contributing event before the as-of instant) is reported expired. */
  readonly ttlMs: number;
  readonly features: readonly FeatureDefinition[];
  /** When this version was declared (ISO-8601, from the YAML's `created`); absent when not declared. */
  readonly createdAt?: string;
}

/** Addresses one feature of one view version. */
export interface FeatureRef {
  readonly featureView: string;
  readonly feature: string;
  readonly version: number;
}

/** Column name used for a feature in training sets: `<view>__<feature>`. */
export function featureColumn(ref: Pick<FeatureRef, 'featureView' | 'feature'>): string {
  return `${ref.featureView}__${ref.feature}`;
}
