import { ident, joinSql, sql, type ClickHouseClient, type Sql } from '@kuroshio/clickhouse';
import type { ChangeLog, ChangeStamp } from './change-log.js';

type Client = Pick<ClickHouseClient, 'insert' | 'query'>;

export interface ChangeLogTable<C extends ChangeStamp, Row> {
  /** The table (a migration creates it) with `seq` and `event_id` columns. */
  readonly name: string;
  /** The columns `changeOf` reads. */
  readonly columns: readonly string[];
  readonly rowOf: (change: C) => Row;
  readonly changeOf: (row: unknown) => C;
}

/** A change log in ClickHouse: one insert per change, read back in seq order. */
export class ClickHouseChangeLog<C extends ChangeStamp, Row extends object> implements ChangeLog<C> {
  readonly #columns: Sql;

  constructor(
    private readonly client: Client,
    private readonly table: ChangeLogTable<C, Row>,
  ) {
    this.#columns = joinSql(table.columns.map((column) => ident(column)), ', ');
  }

  async append(change: C): Promise<void> {
    await this.client.insert(this.table.name, [this.table.rowOf(change)]);
  }

  async readAfter(afterSeq: number, limit: number): Promise<C[]> {
    const rows = await this.client.query(sql`
      SELECT ${this.#columns}
      FROM ${ident(this.table.name)}
      WHERE seq > ${afterSeq}
      ORDER BY seq, event_id
      LIMIT ${limit}`);
    return rows.map((row) => this.table.changeOf(row));
  }
}
