import { sql, type ClickHouseClient } from '@kuroshio/clickhouse';
import type { SeenMessage, SeenMessageSource } from '../domain/dedup-warmup.js';

/** `etl_message_ids` (migration 0004) read back for the dedup window; one range read on its sort key. */
export class WarehouseSeenMessages implements SeenMessageSource {
  constructor(private readonly client: Pick<ClickHouseClient, 'query'>) {}

  async seenBefore(topic: string, partition: number, fromOffset: bigint, beforeOffset: bigint): Promise<readonly SeenMessage[]> {
    const rows = await this.client.query<{ tenant: string; message_id: string; source_offset: string | number }>(sql`
      SELECT tenant, message_id, source_offset
      FROM etl_message_ids
      WHERE source_topic = ${topic} AND source_partition = ${partition}
        AND source_offset >= ${fromOffset} AND source_offset < ${beforeOffset}
      ORDER BY source_offset`);
    return rows.map((row) => ({ tenant: row.tenant, messageId: row.message_id, offset: String(row.source_offset) }));
  }
}
