import type { FeatureDefinition, FeatureView } from '../views/feature-view.js';
import type { ResolvedFeature } from '../views/feature-view-registry.js';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

function feature(name: string, aggregation: FeatureDefinition['aggregation'], windowMs: number, extra: Partial<FeatureDefinition> = {}): FeatureDefinition {
  const valueType = aggregation === 'count' || aggregation === 'distinct_count' ? 'int64' : 'double';
  return { name, description: name, aggregation, windowMs, valueType, ...extra };
}

/** Charges with every aggregation over short windows, and a TTL shorter than the longest window. */
export const chargesView: FeatureView = {
  name: 'test_charges',
  version: 1,
  entity: 'customer',
  description: 'test',
  owner: 'test',
  sourceEvents: ['Carrier Billing Charge'],
  filters: [{ path: 'currency', operator: 'equals', values: ['TWD'] }],
  ttlMs: 5 * DAY_MS,
  features: [
    feature('count_1d', 'count', DAY_MS),
    feature('count_7d', 'count', 7 * DAY_MS),
    feature('amount_sum_7d', 'sum', 7 * DAY_MS, { property: 'amount' }),
    feature('amount_avg_7d', 'avg', 7 * DAY_MS, { property: 'amount' }),
    feature('amount_min_7d', 'min', 7 * DAY_MS, { property: 'amount' }),
    feature('amount_max_7d', 'max', 7 * DAY_MS, { property: 'amount' }),
    feature('last_amount_7d', 'last_value', 7 * DAY_MS, { property: 'amount' }),
    feature('last_merchant_7d', 'last_value', 7 * DAY_MS, { property: 'merchant', valueType: 'string' }),
    feature('merchants_7d', 'distinct_count', 7 * DAY_MS, { property: 'merchant' }),
    feature('days_since_charge', 'days_since_last', 30 * DAY_MS),
    feature('tagged_count_7d', 'count', 7 * DAY_MS, { property: 'meta.tag' }),
  ],
};

/** Page views (a non-track type) with a negative filter. */
export const pagesView: FeatureView = {
  name: 'test_pages',
  version: 1,
  entity: 'customer',
  description: 'test',
  owner: 'test',
  sourceEvents: ['page'],
  filters: [{ path: 'path', operator: 'not_in', values: ['/logout'] }],
  ttlMs: 30 * DAY_MS,
  features: [feature('page_count_3d', 'count', 3 * DAY_MS), feature('paths_3d', 'distinct_count', 3 * DAY_MS, { property: 'path' })],
};

export function resolveAll(...views: FeatureView[]): ResolvedFeature[] {
  return views.flatMap((view) => view.features.map((definition) => ({ ref: { featureView: view.name, feature: definition.name, version: view.version }, view, feature: definition })));
}
