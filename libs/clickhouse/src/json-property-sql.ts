import { joinSql, sql, type Sql } from './sql-template.js';

/**
 * Conditions on a JSON text column (`events.properties` by default). ClickHouse 18.16 has no
 * JSONExtract*: paths are read with the visitParam* functions, one level at a time. They find the
 * first `"key":` in the text, so a key must not also occur inside an earlier nested object of the
 * same level — true of every event schema in services/etl/schemas (ADR 0014). The feature store and
 * the experiment analysis both filter events with these; their in-memory matchers mirror them.
 */

export type PropertyFilterOperator =
  | 'equals'
  | 'not_equals'
  | 'in'
  | 'not_in'
  | 'greater_than'
  | 'greater_than_or_equal'
  | 'less_than'
  | 'less_than_or_equal'
  | 'exists'
  | 'not_exists';

export type PropertyScalar = string | number | boolean;

/** A condition on the value at a dotted `path`. */
export interface PropertyFilterSpec {
  readonly path: string;
  readonly operator: PropertyFilterOperator;
  readonly values: readonly PropertyScalar[];
}

const NUMBER_START = '^-?[0-9]';

function steps(path: string): { parents: string[]; last: string } {
  const keys = path.split('.');
  return { parents: keys.slice(0, -1), last: keys[keys.length - 1] as string };
}

function objectAt(column: Sql, keys: readonly string[]): Sql {
  return keys.reduce((inner, key) => sql`visitParamExtractRaw(${inner}, ${key})`, column);
}

/** The JSON text of the value at `path` ('' when absent). */
export function rawAt(path: string, column: Sql = sql`properties`): Sql {
  const { parents, last } = steps(path);
  return sql`visitParamExtractRaw(${objectAt(column, parents)}, ${last})`;
}

/** The unescaped string at `path`; only meaningful where `isStringAt` holds. */
export function stringAt(path: string, column: Sql = sql`properties`): Sql {
  const { parents, last } = steps(path);
  return sql`visitParamExtractString(${objectAt(column, parents)}, ${last})`;
}

export function isStringAt(path: string, column?: Sql): Sql {
  return sql`(substring(${rawAt(path, column)}, 1, 1) = '"')`;
}

export function numberAt(path: string, column?: Sql): Sql {
  return sql`toFloat64OrZero(${rawAt(path, column)})`;
}

export function isNumberAt(path: string, column?: Sql): Sql {
  return sql`match(${rawAt(path, column)}, ${NUMBER_START})`;
}

/** Present and not JSON null. */
export function existsAt(path: string, column?: Sql): Sql {
  return sql`(${rawAt(path, column)} NOT IN ('', 'null'))`;
}

function sameScalar(path: string, operand: PropertyScalar, column?: Sql): Sql {
  switch (typeof operand) {
    case 'string':
      return sql`(${isStringAt(path, column)} AND ${stringAt(path, column)} = ${operand})`;
    case 'number':
      return sql`(${isNumberAt(path, column)} AND ${numberAt(path, column)} = ${operand})`;
    case 'boolean':
      return sql`(${rawAt(path, column)} = ${operand ? 'true' : 'false'})`;
  }
}

function comparison(path: string, operand: PropertyScalar, operator: Sql, column?: Sql): Sql {
  if (typeof operand === 'number') return sql`(${isNumberAt(path, column)} AND ${numberAt(path, column)} ${operator} ${operand})`;
  if (typeof operand === 'string') return sql`(${isStringAt(path, column)} AND ${stringAt(path, column)} ${operator} ${operand})`;
  throw new TypeError(`cannot order by a ${typeof operand}`);
}

/** The condition of one property filter, as `filterHolds` defines it. */
export function filterSql(filter: PropertyFilterSpec, column?: Sql): Sql {
  const first = filter.values[0] as PropertyScalar;
  const anyOf = () => sql`(${joinSql(filter.values.map((value) => sameScalar(filter.path, value, column)), ' OR ')})`;
  switch (filter.operator) {
    case 'equals':
      return sameScalar(filter.path, first, column);
    case 'not_equals':
      return sql`NOT ${sameScalar(filter.path, first, column)}`;
    case 'in':
      return anyOf();
    case 'not_in':
      return sql`NOT ${anyOf()}`;
    case 'greater_than':
      return comparison(filter.path, first, sql`>`, column);
    case 'greater_than_or_equal':
      return comparison(filter.path, first, sql`>=`, column);
    case 'less_than':
      return comparison(filter.path, first, sql`<`, column);
    case 'less_than_or_equal':
      return comparison(filter.path, first, sql`<=`, column);
    case 'exists':
      return existsAt(filter.path, column);
    case 'not_exists':
      return sql`NOT ${existsAt(filter.path, column)}`;
  }
}

/** Every filter holds (`1` when there are none). */
export function filtersSql(filters: readonly PropertyFilterSpec[], column?: Sql): Sql {
  return filters.length === 0 ? sql`1` : sql`(${joinSql(filters.map((filter) => filterSql(filter, column)), ' AND ')})`;
}

/** The event is one of `names` (track event names, or call types such as `page`), as `sourceEventKey` reads them. */
export function sourceEventsSql(names: readonly string[]): Sql {
  if (names.length === 0) return sql`0`;
  return sql`(if(type = 'track', event, type) IN (${joinSql(names.map((name) => sql`${name}`), ', ')}))`;
}
