-- Where etl first accepted each messageId: one row per clean event, keyed by the source record's Kafka
-- coordinates (a replayed batch replaces its rows). etl reads the latest offsets of a partition back
-- into its dedup window when it takes the partition over (after a restart or a rebalance), so a client
-- retry whose first copy was processed before that is still dropped as a duplicate.
-- Not `events`: it has no Kafka coordinates, and without them a replay of a batch could not be told
-- from a duplicate. Must parse on ClickHouse 18.16 and current releases (no TTL on 18.16: old months
-- are dropped with ALTER TABLE ... DROP PARTITION).
CREATE TABLE IF NOT EXISTS etl_message_ids
(
    source_topic      String,
    source_partition  UInt32,
    source_offset     UInt64,
    tenant            String,
    message_id        String,
    processed_at      DateTime('UTC')
)
ENGINE = ReplacingMergeTree(processed_at)
PARTITION BY toYYYYMM(processed_at)
ORDER BY (source_topic, source_partition, source_offset);
