import { ident, sql, type ClickHouseClient } from '@kuroshio/clickhouse';
import type { Change } from '../domain/registry-change.js';
import type { ChangeLog } from '../domain/registry-ports.js';
import { changeOf, rowOf } from './change-rows.js';

export const CHANGE_LOG_TABLE = 'registry_changes';

type Client = Pick<ClickHouseClient, 'insert' | 'query'>;

/** The change log in ClickHouse (migration 0005): one insert per change, read back in seq order. */
export class ClickHouseChangeLog implements ChangeLog {
  constructor(private readonly client: Client) {}

  async append(change: Change): Promise<void> {
    await this.client.insert(CHANGE_LOG_TABLE, [rowOf(change)]);
  }

  async readAfter(afterSeq: number, limit: number): Promise<Change[]> {
    const rows = await this.client.query(sql`
      SELECT seq, event_id, time_ms, actor, action, model_name, version, alias, previous_version, reason, request_id, payload
      FROM ${ident(CHANGE_LOG_TABLE)}
      WHERE seq > ${afterSeq}
      ORDER BY seq, event_id
      LIMIT ${limit}`);
    return rows.map(changeOf);
  }
}
