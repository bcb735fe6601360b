import type { PropertyFilter, ScalarValue } from './experiment-definition.js';
import { invalidArgument } from './experiment-errors.js';

// Targeting: trait filters over the unit's traits (google.protobuf.Struct as a plain object). The
// semantics are those of the metric filters in SQL (`filtersSql` in libs/clickhouse/src/json-property-sql.ts): a comparison holds
// only between values of the same type, `not_*` is the negation, `exists` means present and not null.

export type Traits = Readonly<Record<string, unknown>>;

export const TRAIT_LIMITS = { keys: 200, bytes: 16_384 } as const;

/** Checks the traits object's size: a Struct can nest without bound. */
export function checkTraits(traits: unknown): Traits {
  if (traits === null || traits === undefined) return {};
  if (typeof traits !== 'object' || Array.isArray(traits)) throw invalidArgument('traits must be an object', 'invalid_traits', { field: 'traits' });
  const keys = Object.keys(traits);
  if (keys.length > TRAIT_LIMITS.keys) throw invalidArgument(`traits has ${keys.length} keys; at most ${TRAIT_LIMITS.keys}`, 'invalid_traits', { field: 'traits' });
  const bytes = Buffer.byteLength(JSON.stringify(traits) ?? '', 'utf8');
  if (bytes > TRAIT_LIMITS.bytes) throw invalidArgument(`traits is ${bytes} bytes as JSON; at most ${TRAIT_LIMITS.bytes}`, 'invalid_traits', { field: 'traits' });
  return traits as Traits;
}

function valueAt(traits: Traits, path: string): unknown {
  let current: unknown = traits;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current) || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function same(value: unknown, operand: ScalarValue): boolean {
  return typeof value === typeof operand && value === operand;
}

function compare(value: unknown, operand: ScalarValue, holds: (order: number) => boolean): boolean {
  if (typeof operand === 'number' && typeof value === 'number') return holds(value - operand);
  if (typeof operand === 'string' && typeof value === 'string') return holds(value < operand ? -1 : value > operand ? 1 : 0);
  return false;
}

export function filterHolds(filter: PropertyFilter, traits: Traits): boolean {
  const value = valueAt(traits, filter.path);
  const first = filter.values[0] as ScalarValue;
  switch (filter.operator) {
    case 'equals':
      return same(value, first);
    case 'not_equals':
      return !same(value, first);
    case 'in':
      return filter.values.some((operand) => same(value, operand));
    case 'not_in':
      return !filter.values.some((operand) => same(value, operand));
    case 'greater_than':
      return compare(value, first, (order) => order > 0);
    case 'greater_than_or_equal':
      return compare(value, first, (order) => order >= 0);
    case 'less_than':
      return compare(value, first, (order) => order < 0);
    case 'less_than_or_equal':
      return compare(value, first, (order) => order <= 0);
    case 'exists':
      return value !== undefined && value !== null;
    case 'not_exists':
      return value === undefined || value === null;
  }
}

export function targetingHolds(filters: readonly PropertyFilter[], traits: Traits): boolean {
  return filters.every((filter) => filterHolds(filter, traits));
}
