import { parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';
import type { CleanEvent } from '../domain/batch-outcome.js';
import { documentsOf } from './event-documents.js';

/**
 * The clean/ Parquet layout. Columns, their order and their types are fixed here (never inferred
 * from a batch), so every object of the lake has the same schema and readers can union them.
 * Changing a column means a new `schema_version` key-value and a decision record.
 */
export const CLEAN_PARQUET_SCHEMA_VERSION = '1';

const STRING = 'STRING' as const;

type ColumnLayout = Pick<ColumnSource, 'encoding' | 'statistics'>;
// Columns whose values are (nearly) all distinct: the writer would sample each for a dictionary that
// never pays off. PLAIN skips the sampling; statistics stay, they prune reads by id and offset.
const UNIQUE: ColumnLayout = { encoding: 'PLAIN' };
// JSON documents: min/max of JSON text prunes nothing, and computing them was a visible share of the
// encoding time in the profile (docs/decisions/0011-etl-scaling.md).
const DOCUMENT: ColumnLayout = { encoding: 'PLAIN', statistics: false };

export function encodeCleanParquet(events: readonly CleanEvent[]): Uint8Array {
  const column = <T>(name: string, type: ColumnSource['type'], pick: (event: CleanEvent) => T, layout: ColumnLayout = {}): ColumnSource => ({
    name,
    type,
    data: events.map(pick) as ColumnSource['data'],
    ...layout,
  });
  const columnData: ColumnSource[] = [
    column('message_id', STRING, (e) => e.value.envelope.messageId, UNIQUE),
    column('tenant', STRING, (e) => e.value.envelope.tenant),
    column('source', STRING, (e) => e.value.envelope.source),
    column('channel', STRING, (e) => e.value.envelope.context.channel),
    column('type', STRING, (e) => e.value.envelope.type),
    column('event', STRING, (e) => e.value.envelope.event ?? null),
    column('customer_id', STRING, (e) => e.customerId),
    column('user_id', STRING, (e) => e.value.envelope.userId ?? null),
    column('anonymous_id', STRING, (e) => e.value.envelope.anonymousId ?? null),
    column('event_time', 'TIMESTAMP', (e) => e.eventTime),
    column('received_at', 'TIMESTAMP', (e) => new Date(e.value.envelope.receivedAt)),
    column('clock_skew_ms', 'INT64', (e) => BigInt(Math.round(e.value.processing.clockSkewMs))),
    column('event_schema', STRING, (e) => e.value.processing.eventSchema),
    column('schema_version', 'INT32', (e) => e.schemaVersion),
    column('properties', 'JSON', (e) => documentsOf(e).properties, DOCUMENT),
    column('context', 'JSON', (e) => documentsOf(e).context, DOCUMENT),
    column('traits', 'JSON', (e) => documentsOf(e).traits, DOCUMENT),
    column('tokenized_paths', 'JSON', (e) => JSON.stringify(e.value.processing.tokenizedPaths)),
    column('raw_topic', STRING, (e) => e.record.topic),
    column('raw_partition', 'INT32', (e) => e.record.partition),
    column('raw_offset', 'INT64', (e) => BigInt(e.record.offset), UNIQUE),
    column('processed_at', 'TIMESTAMP', (e) => new Date(e.value.processing.processedAt)),
  ];
  const buffer = parquetWriteBuffer({
    columnData,
    kvMetadata: [
      { key: 'kuroshio.schema', value: 'events.clean' },
      { key: 'kuroshio.schema_version', value: CLEAN_PARQUET_SCHEMA_VERSION },
    ],
    createdBy: 'kuroshio-etl (hyparquet-writer)',
    rowGroupSize: 100_000,
  });
  return new Uint8Array(buffer);
}
