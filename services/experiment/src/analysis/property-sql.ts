import { joinSql, sql, type Sql } from '@kuroshio/clickhouse';
import type { PropertyFilter, ScalarValue } from '../domain/experiment-definition.js';

/**
 * Conditions on `events.properties` (JSON text). ClickHouse 18.16 has no JSONExtract*: paths are
 * read with the visitParam* functions, one level at a time (they find the first `"key":` of the
 * text, which every event schema allows — ADR 0014). Paths and operands are values, escaped by the
 * `sql` tag; the semantics are those of domain/trait-matching.ts. The feature store reads
 * properties the same way (its own copy: apps do not import apps; a shared lib would hold one).
 */

const NUMBER_START = '^-?[0-9]';

function objectAt(column: Sql, keys: readonly string[]): Sql {
  return keys.reduce((inner, key) => sql`visitParamExtractRaw(${inner}, ${key})`, column);
}

function split(path: string): { parents: string[]; last: string } {
  const keys = path.split('.');
  return { parents: keys.slice(0, -1), last: keys[keys.length - 1] ?? '' };
}

/** The JSON text of the value at `path` ('' when absent). */
export function rawAt(path: string, column: Sql = sql`properties`): Sql {
  const { parents, last } = split(path);
  return sql`visitParamExtractRaw(${objectAt(column, parents)}, ${last})`;
}

function stringAt(path: string, column?: Sql): Sql {
  const { parents, last } = split(path);
  return sql`visitParamExtractString(${objectAt(column ?? sql`properties`, parents)}, ${last})`;
}

function isStringAt(path: string, column?: Sql): Sql {
  return sql`(substring(${rawAt(path, column)}, 1, 1) = '"')`;
}

/** The number at `path`, 0 when absent or not a number. */
export function numberAt(path: string, column?: Sql): Sql {
  return sql`toFloat64OrZero(${rawAt(path, column)})`;
}

function isNumberAt(path: string, column?: Sql): Sql {
  return sql`match(${rawAt(path, column)}, ${NUMBER_START})`;
}

function existsAt(path: string, column?: Sql): Sql {
  return sql`(${rawAt(path, column)} NOT IN ('', 'null'))`;
}

function sameScalar(path: string, operand: ScalarValue, column?: Sql): Sql {
  switch (typeof operand) {
    case 'string':
      return sql`(${isStringAt(path, column)} AND ${stringAt(path, column)} = ${operand})`;
    case 'number':
      return sql`(${isNumberAt(path, column)} AND ${numberAt(path, column)} = ${operand})`;
    case 'boolean':
      return sql`(${rawAt(path, column)} = ${operand ? 'true' : 'false'})`;
  }
}

function comparison(path: string, operand: ScalarValue, operator: Sql, column?: Sql): Sql {
  if (typeof operand === 'number') return sql`(${isNumberAt(path, column)} AND ${numberAt(path, column)} ${operator} ${operand})`;
  if (typeof operand === 'string') return sql`(${isStringAt(path, column)} AND ${stringAt(path, column)} ${operator} ${operand})`;
  throw new TypeError(`cannot order by a ${typeof operand}`);
}

export function filterSql(filter: PropertyFilter, column?: Sql): Sql {
  const first = filter.values[0] as ScalarValue;
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
export function filtersSql(filters: readonly PropertyFilter[], column?: Sql): Sql {
  return filters.length === 0 ? sql`1` : sql`(${joinSql(filters.map((filter) => filterSql(filter, column)), ' AND ')})`;
}
