-- What etl did with every record of events.raw: accepted, rejected (stage, code) or deduplicated,
-- and whether it arrived late or from the future. Keyed by the record's Kafka coordinates, so a
-- replayed batch replaces its rows instead of counting twice (exact reads use FINAL, as the view does).
CREATE TABLE IF NOT EXISTS etl_record_outcomes
(
    source_topic      String,
    source_partition  UInt32,
    source_offset     UInt64,
    -- settled event time; the Kafka timestamp when the record was rejected before that
    event_time        DateTime('UTC'),
    tenant            String,
    source            String,
    -- Segment call type and, for track, the event name; empty when the record was unreadable
    type              String,
    event             String,
    -- accepted, rejected, deduplicated
    outcome           String,
    -- for rejected: the dead-letter stage (etl.schema ...) and code (SCHEMA_MISMATCH ...)
    stage             String,
    reason_code       String,
    late              UInt8,
    future            UInt8,
    processed_at      DateTime('UTC')
)
ENGINE = ReplacingMergeTree(processed_at)
PARTITION BY toYYYYMM(event_time)
ORDER BY (source_topic, source_partition, source_offset);

-- Data-quality counts per hour, tenant, source and event type: what dashboards and alerts query.
CREATE VIEW IF NOT EXISTS data_quality AS
SELECT
    toStartOfHour(event_time) AS hour,
    tenant,
    source,
    type,
    event,
    outcome,
    stage,
    reason_code,
    count() AS records,
    sum(late) AS late_records,
    sum(future) AS future_records
FROM etl_record_outcomes FINAL
GROUP BY hour, tenant, source, type, event, outcome, stage, reason_code;
