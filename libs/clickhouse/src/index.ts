export { sqlValue, sqlString, sqlIdentifier, sqlDateTime, dateTimeText, type SqlInput, type SqlScalar } from './sql-literal.js';
export { Sql, sql, ident, joinSql, trustedSql, type SqlInterpolation } from './sql-template.js';
export { splitStatements } from './sql-lexer.js';
export {
  ClickHouseClient,
  type ClickHouseClientOptions,
  type ClickHouseConnectionOptions,
  type ClickHouseRow,
} from './clickhouse-client.js';
export { ClickHouseModule } from './clickhouse.module.js';
export {
  existsAt,
  filterSql,
  filtersSql,
  isNumberAt,
  isStringAt,
  numberAt,
  rawAt,
  sourceEventsSql,
  stringAt,
  type PropertyFilterOperator,
  type PropertyFilterSpec,
  type PropertyScalar,
} from './json-property-sql.js';
