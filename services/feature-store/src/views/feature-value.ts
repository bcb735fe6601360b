import type { FeatureDefinition, FeatureView } from './feature-view.js';
import { eventMatchesView, propertyAt, type ViewEvent } from './event-matching.js';

const DAY_MS = 86_400_000;

export type FeatureScalar = number | string;

/** Mirrors the proto's FeatureValueStatus. */
export type FeatureValueStatus = 'present' | 'not_found' | 'expired';

/** One feature of one entity at one instant, as both the offline and the online path report it. */
export interface FeatureValue {
  readonly status: FeatureValueStatus;
  /** Set only when `status` is `present`. */
  readonly value: FeatureScalar | null;
  /** The latest contributing event, when there was one (also for `expired`). */
  readonly eventTimeMs: number | null;
}

export const NOT_FOUND: FeatureValue = Object.freeze({ status: 'not_found', value: null, eventTimeMs: null });

/** What an aggregation over the contributing events produced, before TTL and emptiness are applied. */
export interface FeatureAggregate {
  /** Contributing events. */
  readonly count: number;
  /** Time of the latest contributing event (meaningless when count is 0). */
  readonly lastMs: number;
  /** The aggregated value for sum/avg/min/max/last_value/distinct_count (ignored for count and days_since_last). */
  readonly value: FeatureScalar | null;
}

/**
 * The value of a feature that has contributing events and is not expired: count and days_since_last
 * follow from the count and the latest time, the others are the aggregate itself.
 */
function presentValue(feature: FeatureDefinition, asOfMs: number, count: number, lastMs: number, value: FeatureScalar | null): FeatureScalar | null {
  if (feature.aggregation === 'count') return count;
  if (feature.aggregation === 'days_since_last') return (asOfMs - lastMs) / DAY_MS;
  return value;
}

/** Applies the rules every feature shares (see FeatureDefinition): nothing contributed, expired, else the value. */
export function finishFeatureValue(feature: FeatureDefinition, ttlMs: number, asOfMs: number, aggregate: FeatureAggregate): FeatureValue {
  if (aggregate.count === 0) return NOT_FOUND;
  if (asOfMs - aggregate.lastMs > ttlMs) return { status: 'expired', value: null, eventTimeMs: aggregate.lastMs };
  return { status: 'present', value: presentValue(feature, asOfMs, aggregate.count, aggregate.lastMs, aggregate.value), eventTimeMs: aggregate.lastMs };
}

/** finishFeatureValue's value alone (null unless present), without allocating: training sets call it per cell. */
export function finishedScalar(feature: FeatureDefinition, ttlMs: number, asOfMs: number, count: number, lastMs: number, value: FeatureScalar | null): FeatureScalar | null {
  if (count === 0 || asOfMs - lastMs > ttlMs) return null;
  return presentValue(feature, asOfMs, count, lastMs, value);
}

/** An event of one entity with its instant and id (ids break ties of last_value). */
export interface TimedViewEvent extends ViewEvent {
  readonly messageId: string;
  readonly eventTimeMs: number;
}

/** The property value an event contributes to a feature, or undefined when it does not contribute. */
export function contributionOf(feature: FeatureDefinition, properties: unknown): FeatureScalar | true | undefined {
  if (feature.property === undefined) return true;
  const value = propertyAt(properties, feature.property);
  switch (feature.aggregation) {
    case 'sum':
    case 'avg':
    case 'min':
    case 'max':
      return typeof value === 'number' ? value : undefined;
    case 'last_value':
      if (feature.valueType === 'string') return typeof value === 'string' ? value : undefined;
      return typeof value === 'number' ? value : undefined;
    case 'distinct_count':
    case 'count':
    case 'days_since_last':
      return value === undefined || value === null ? undefined : JSON.stringify(value);
  }
}

/**
 * The definition executed event by event: the value of `feature` for one entity at `asOfMs` from all
 * of that entity's events. Slow and obvious on purpose — tests compare the ClickHouse SQL with it.
 */
export function evaluateFeature(view: FeatureView, feature: FeatureDefinition, events: readonly TimedViewEvent[], asOfMs: number): FeatureValue {
  const contributing: Array<{ event: TimedViewEvent; value: FeatureScalar | true }> = [];
  for (const event of events) {
    if (event.eventTimeMs >= asOfMs || event.eventTimeMs < asOfMs - feature.windowMs || !eventMatchesView(view, event)) continue;
    const value = contributionOf(feature, event.properties);
    if (value !== undefined) contributing.push({ event, value });
  }
  if (contributing.length === 0) return NOT_FOUND;
  const latest = contributing.reduce((best, next) =>
    next.event.eventTimeMs > best.event.eventTimeMs || (next.event.eventTimeMs === best.event.eventTimeMs && next.event.messageId > best.event.messageId) ? next : best,
  );
  const numbers = contributing.map((item) => item.value).filter((value): value is number => typeof value === 'number');
  const aggregate = (): FeatureScalar | null => {
    switch (feature.aggregation) {
      case 'sum':
        return numbers.reduce((sum, value) => sum + value, 0);
      case 'avg':
        return numbers.reduce((sum, value) => sum + value, 0) / numbers.length;
      case 'min':
        return Math.min(...numbers);
      case 'max':
        return Math.max(...numbers);
      case 'last_value':
        return latest.value === true ? null : latest.value;
      case 'distinct_count':
        return new Set(contributing.map((item) => item.value)).size;
      case 'count':
      case 'days_since_last':
        return null;
    }
  };
  return finishFeatureValue(feature, view.ttlMs, asOfMs, { count: contributing.length, lastMs: latest.event.eventTimeMs, value: aggregate() });
}
