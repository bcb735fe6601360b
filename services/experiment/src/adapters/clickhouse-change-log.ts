import { ident, sql, type ClickHouseClient } from '@kuroshio/clickhouse';
import type { Change } from '../domain/experiment-change.js';
import type { ChangeLog } from '../domain/experiment-ports.js';
import { changeOf, rowOf } from './change-rows.js';

export const CHANGE_LOG_TABLE = 'experiment_changes';

type Client = Pick<ClickHouseClient, 'insert' | 'query'>;

/** The change log in ClickHouse (migration 0010): one insert per change, read back in seq order. */
export class ClickHouseChangeLog implements ChangeLog {
  constructor(private readonly client: Client) {}

  async append(change: Change): Promise<void> {
    await this.client.insert(CHANGE_LOG_TABLE, [rowOf(change)]);
  }

  async readAfter(afterSeq: number, limit: number): Promise<Change[]> {
    const rows = await this.client.query(sql`
      SELECT seq, event_id, time_ms, actor, action, experiment_key, revision, reason, payload
      FROM ${ident(CHANGE_LOG_TABLE)}
      WHERE seq > ${afterSeq}
      ORDER BY seq, event_id
      LIMIT ${limit}`);
    return rows.map(changeOf);
  }
}
