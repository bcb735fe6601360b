-- Records etl could not accept, with the reason, mirroring kuroshio.events.dlq.v1 for querying.
-- Keyed by the source record's Kafka coordinates: a replay that fails again replaces the row
-- (keeping the latest failed_at) instead of adding one.
CREATE TABLE IF NOT EXISTS dead_letters
(
    source_topic      String,
    source_partition  UInt32,
    source_offset     UInt64,
    -- the record's Kafka timestamp: stable across replays, so it can place the partition
    source_timestamp  DateTime('UTC'),
    failed_at         DateTime('UTC'),
    -- empty when the record could not be parsed far enough to know them
    tenant            String,
    source            String,
    message_id        String,
    -- a stable machine-readable code (e.g. schema.invalid) and the human-readable detail
    reason_code       String,
    reason            String,
    record_key        String,
    -- the value as received: UTF-8 text, or base64 when value_encoding = 'base64'
    record_value      String,
    value_encoding    String,
    -- JSON object text of the record's headers
    headers           String
)
ENGINE = ReplacingMergeTree(failed_at)
PARTITION BY toYYYYMM(source_timestamp)
ORDER BY (source_topic, source_partition, source_offset);
