import { parquetWriteBuffer, schemaFromColumnData, type ColumnSource } from 'hyparquet-writer';
import type { CleanEvent } from '../domain/batch-outcome.js';
import { documentsOf } from './event-documents.js';

/**
 * The clean/ Parquet layout. Columns, their order and their types are fixed here (never inferred
 * from a batch), so every object of the lake has the same schema and readers can union them.
 * Changing a column means a new `schema_version` key-value and a decision record.
 *
 * Version 2: properties, context, traits and tokenized_paths hold the JSON documents themselves.
 * Version 1 held each document as a JSON string literal (the writer JSON-encoded the text it was
 * given), so readers had to decode twice (docs/decisions/0008-etl.md).
 */
export const CLEAN_PARQUET_SCHEMA_VERSION = '2';

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

// A JSON column: BYTE_ARRAY annotated with the JSON logical type, given the document's UTF-8 bytes.
// Declared with the writer's 'JSON' type instead, hyparquet-writer would JSON.stringify each value
// (the converted type JSON makes it serialise what it is given), and the ETL already holds the text.
const JSON_DOCUMENT = 'JSON_DOCUMENT' as const;

const COLUMNS = [
  { name: 'message_id', type: STRING, layout: UNIQUE_IDENTIFIER },
  { name: 'tenant', type: STRING },
  { name: 'source', type: STRING },
  { name: 'channel', type: STRING },
  { name: 'type', type: STRING },
  { name: 'event', type: STRING },
  { name: 'customer_id', type: STRING, layout: IDENTIFIER },
  { name: 'user_id', type: STRING, layout: IDENTIFIER },
  { name: 'anonymous_id', type: STRING, layout: IDENTIFIER },
  { name: 'event_time', type: 'TIMESTAMP' },
  { name: 'received_at', type: 'TIMESTAMP' },
  { name: 'clock_skew_ms', type: 'INT64' },
  { name: 'event_schema', type: STRING },
  { name: 'schema_version', type: 'INT32' },
  { name: 'properties', type: JSON_DOCUMENT, layout: DOCUMENT },
  { name: 'context', type: JSON_DOCUMENT, layout: DOCUMENT },
  { name: 'traits', type: JSON_DOCUMENT, layout: DOCUMENT },
  { name: 'tokenized_paths', type: JSON_DOCUMENT, layout: REPEATED_DOCUMENT },
  { name: 'raw_topic', type: STRING },
  { name: 'raw_partition', type: 'INT32' },
  { name: 'raw_offset', type: 'INT64', layout: UNIQUE },
  { name: 'processed_at', type: 'TIMESTAMP' },
] as const satisfies ReadonlyArray<{ name: string; type: NonNullable<ColumnSource['type']> | typeof JSON_DOCUMENT; layout?: ColumnLayout }>;

const SCHEMA = schemaFromColumnData({
  columnData: COLUMNS.map(({ name, type }) => (type === JSON_DOCUMENT ? { name, data: [] } : { name, type, data: [] })),
  schemaOverrides: Object.fromEntries(
    COLUMNS.filter(({ type }) => type === JSON_DOCUMENT).map(({ name }) => [
      name,
      { name, type: 'BYTE_ARRAY' as const, logical_type: { type: 'JSON' as const }, repetition_type: 'OPTIONAL' as const },
    ]),
  ),
});

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
    properties: new Array<Uint8Array>(count),
    context: new Array<Uint8Array>(count),
    traits: new Array<Uint8Array>(count),
    tokenized_paths: new Array<Uint8Array>(count),
    raw_topic: new Array<string>(count),
    raw_partition: new Array<number>(count),
    raw_offset: new Array<bigint>(count),
    processed_at: new Array<bigint>(count),
  };
  // The few distinct tokenised-path lists share one byte array each: the writer's dictionary hashes
  // a byte array once per object.
  const pathLists = new Map<string, Uint8Array>();
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
    columns.properties[i] = Buffer.from(documents.properties);
    columns.context[i] = Buffer.from(documents.context);
    columns.traits[i] = Buffer.from(documents.traits);
    const paths = JSON.stringify(processing.tokenizedPaths);
    let pathBytes = pathLists.get(paths);
    if (pathBytes === undefined) {
      pathBytes = Buffer.from(paths);
      pathLists.set(paths, pathBytes);
    }
    columns.tokenized_paths[i] = pathBytes;
    columns.raw_topic[i] = event.record.topic;
    columns.raw_partition[i] = event.record.partition;
    columns.raw_offset[i] = BigInt(event.record.offset);
    columns.processed_at[i] = processedAt;
  }
  const columnData: ColumnSource[] = COLUMNS.map((spec) => ({
    name: spec.name,
    data: columns[spec.name] as ColumnSource['data'],
    ...('layout' in spec ? spec.layout : {}),
  }));
  const buffer = parquetWriteBuffer({
    schema: SCHEMA,
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
