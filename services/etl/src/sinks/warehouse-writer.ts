import type { ProcessedBatch } from '../domain/batch-outcome.js';
import { deadLetterRow, eventRow, messageIdRow, outcomeRow } from './clickhouse-rows.js';

/** The part of the ClickHouse client the warehouse needs (ClickHouseClient satisfies it). */
export interface WarehouseClient {
  insert<T extends object>(table: string, rows: readonly T[]): Promise<void>;
}

/**
 * Lands a batch in ClickHouse: clean rows in `events`, dead letters in `dead_letters`, one outcome
 * per record in `etl_record_outcomes`, and where each accepted messageId was taken in
 * `etl_message_ids` (read back by the dedup warm-up). Each table is a ReplacingMergeTree whose sort key a replay
 * reproduces exactly, so redelivered batches fold into the rows already there.
 */
export class WarehouseWriter {
  constructor(private readonly client: WarehouseClient) {}

  async writeBatch(batch: ProcessedBatch, processedAt: Date): Promise<void> {
    await Promise.all([
      this.client.insert('events', batch.clean.map(eventRow)),
      this.client.insert('dead_letters', batch.rejected.map(deadLetterRow)),
      this.client.insert('etl_record_outcomes', batch.outcomes.map((outcome) => outcomeRow(outcome, processedAt))),
      this.client.insert('etl_message_ids', batch.clean.map((event) => messageIdRow(event, processedAt))),
    ]);
  }
}
