import type { FeatureView, PropertyFilter, ScalarValue } from './feature-view.js';

/**
 * Which events a view reads, in plain TypeScript: the reference the ClickHouse SQL
 * (`libs/clickhouse/src/json-property-sql.ts`) is tested against, and usable by the online path so that both read the
 * same events. Paths are dotted keys into the event's `properties` object (no array indexing).
 */

/** The name a view's `sourceEvents` list matches: the track event name, else the call type (`page`, `screen`...). */
export function sourceEventKey(type: string, event: string): string {
  return type === 'track' ? event : type;
}

/** The value at a dotted path; `undefined` when any step is missing or not an object. */
export function propertyAt(properties: unknown, path: string): unknown {
  let current: unknown = properties;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current) || !Object.hasOwn(current, key)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function sameScalar(value: unknown, operand: ScalarValue): boolean {
  return typeof value === typeof operand && value === operand;
}

function compares(value: unknown, operand: ScalarValue, test: (order: number) => boolean): boolean {
  if (typeof operand === 'number' && typeof value === 'number') return test(value - operand);
  if (typeof operand === 'string' && typeof value === 'string') return test(value < operand ? -1 : value > operand ? 1 : 0);
  return false;
}

/** Whether a property filter holds; a missing property fails every operator except the negative ones. */
export function filterHolds(filter: PropertyFilter, properties: unknown): boolean {
  const value = propertyAt(properties, filter.path);
  const first = filter.values[0] as ScalarValue;
  switch (filter.operator) {
    case 'equals':
      return sameScalar(value, first);
    case 'not_equals':
      return !sameScalar(value, first);
    case 'in':
      return filter.values.some((operand) => sameScalar(value, operand));
    case 'not_in':
      return !filter.values.some((operand) => sameScalar(value, operand));
    case 'greater_than':
      return compares(value, first, (order) => order > 0);
    case 'greater_than_or_equal':
      return compares(value, first, (order) => order >= 0);
    case 'less_than':
      return compares(value, first, (order) => order < 0);
    case 'less_than_or_equal':
      return compares(value, first, (order) => order <= 0);
    case 'exists':
      return value !== undefined && value !== null;
    case 'not_exists':
      return value === undefined || value === null;
  }
}

/** An event as the views see it (a row of ClickHouse `events`, or a clean envelope). */
export interface ViewEvent {
  readonly type: string;
  /** Track event name; empty for other types. */
  readonly event: string;
  readonly properties: unknown;
}

export function eventMatchesView(view: Pick<FeatureView, 'sourceEvents' | 'filters'>, event: ViewEvent): boolean {
  return view.sourceEvents.includes(sourceEventKey(event.type, event.event)) && view.filters.every((filter) => filterHolds(filter, event.properties));
}
