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
// never pays off. PLAIN skips the sampling; statistics stay, they prune reads by offset.
const UNIQUE: ColumnLayout = { encoding: 'PLAIN' };
// Opaque identifiers (SDK messageIds are UUIDs, customer ids are tokens): min/max prune nothing, and
// comparing every value in UTF-8 order was the writer's largest single cost (0011-etl-scaling.md).
const UNIQUE_IDENTIFIER: ColumnLayout = { encoding: 'PLAIN', statistics: false };
const IDENTIFIER: ColumnLayout = { statistics: false };
// JSON documents: min/max of JSON text prunes nothing, and computing them was a visible share of the
// encoding time in the profile (docs/decisions/0011-etl-scaling.md).
const DOCUMENT: ColumnLayout = { encoding: 'PLAIN', statistics: false };
// Few distinct JSON lists (tokenised paths): the dictionary pays off, min/max of JSON text does not.
const REPEATED_DOCUMENT: ColumnLayout = { statistics: false };

export function encodeCleanParquet(events: readonly CleanEvent[]): Uint8Array {
  // One pass over the batch fills every column (instead of one pass per column); instants every
  // event of a batch shares (processedAt) are parsed once.
  const count = events.length;
  const columns = {
    message_id: new Array<string>(count),
    tenant: new Array<string>(count),
    source: new Array<string>(count),
    channel: new Array<string>(count),
    type: new Array<string>(count),
    event: new Array<string | null>(count),
    customer_id: new Array<string>(count),
    user_id: new Array<string | null>(count),
    anonymous_id: new Array<string | null>(count),
    // Instants as epoch-millisecond bigints, the column's physical values: given Dates, the writer
    // converts each value once more for the statistics alone (an array and a BigInt per value).
    event_time: new Array<bigint>(count),
    received_at: new Array<bigint>(count),
    clock_skew_ms: new Array<bigint>(count),
    event_schema: new Array<string | null>(count),
    schema_version: new Array<number>(count),
    properties: new Array<string>(count),
    context: new Array<string>(count),
    traits: new Array<string>(count),
    tokenized_paths: new Array<string>(count),
    raw_topic: new Array<string>(count),
    raw_partition: new Array<number>(count),
    raw_offset: new Array<bigint>(count),
    processed_at: new Array<bigint>(count),
  };
  let processedText = '';
  let processedAt = 0n;
  for (let i = 0; i < count; i++) {
    const event = events[i] as CleanEvent;
    const { envelope, processing } = event.value;
    const documents = documentsOf(event);
    if (processing.processedAt !== processedText) {
      processedText = processing.processedAt;
      processedAt = BigInt(Date.parse(processedText));
    }
    columns.message_id[i] = envelope.messageId;
    columns.tenant[i] = envelope.tenant;
    columns.source[i] = envelope.source;
    columns.channel[i] = envelope.context.channel;
    columns.type[i] = envelope.type;
    columns.event[i] = envelope.event ?? null;
    columns.customer_id[i] = event.customerId;
    columns.user_id[i] = envelope.userId ?? null;
    columns.anonymous_id[i] = envelope.anonymousId ?? null;
    columns.event_time[i] = BigInt(event.eventTime.getTime());
    columns.received_at[i] = BigInt(Date.parse(envelope.receivedAt));
    columns.clock_skew_ms[i] = BigInt(Math.round(processing.clockSkewMs));
    columns.event_schema[i] = processing.eventSchema;
    columns.schema_version[i] = event.schemaVersion;
    columns.properties[i] = documents.properties;
    columns.context[i] = documents.context;
    columns.traits[i] = documents.traits;
    columns.tokenized_paths[i] = JSON.stringify(processing.tokenizedPaths);
    columns.raw_topic[i] = event.record.topic;
    columns.raw_partition[i] = event.record.partition;
    columns.raw_offset[i] = BigInt(event.record.offset);
    columns.processed_at[i] = processedAt;
  }
  const column = (name: keyof typeof columns, type: ColumnSource['type'], layout: ColumnLayout = {}): ColumnSource => ({
    name,
    type,
    data: columns[name] as ColumnSource['data'],
    ...layout,
  });
  const columnData: ColumnSource[] = [
    column('message_id', STRING, UNIQUE_IDENTIFIER),
    column('tenant', STRING),
    column('source', STRING),
    column('channel', STRING),
    column('type', STRING),
    column('event', STRING),
    column('customer_id', STRING, IDENTIFIER),
    column('user_id', STRING, IDENTIFIER),
    column('anonymous_id', STRING, IDENTIFIER),
    column('event_time', 'TIMESTAMP'),
    column('received_at', 'TIMESTAMP'),
    column('clock_skew_ms', 'INT64'),
    column('event_schema', STRING),
    column('schema_version', 'INT32'),
    column('properties', 'JSON', DOCUMENT),
    column('context', 'JSON', DOCUMENT),
    column('traits', 'JSON', DOCUMENT),
    column('tokenized_paths', 'JSON', REPEATED_DOCUMENT),
    column('raw_topic', STRING),
    column('raw_partition', 'INT32'),
    column('raw_offset', 'INT64', UNIQUE),
    column('processed_at', 'TIMESTAMP'),
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
