-- Clean customer-channel events, one row per Segment-spec message. Written by etl, read by the
-- feature store (per-customer, point-in-time), experiment analysis and analysts.
-- Must parse on ClickHouse 18.16 and current releases: no DateTime64, Bool, LowCardinality or TTL.
--
-- Replays write the same rows again; ReplacingMergeTree folds rows with the same sort key, keeping
-- the latest ingested_at (exact reads use FINAL or GROUP BY message_id).
CREATE TABLE IF NOT EXISTS events
(
    message_id      String,
    tenant          String,
    source          String,
    -- web, app, line, iot, branch, callcenter
    channel         String,
    -- track, identify, page, screen, group, alias
    type            String,
    -- the track event name; empty for other types
    event           String,
    -- userId, else anonymousId: the Kafka partition key and the feature-store entity
    customer_id     String,
    user_id         String,
    anonymous_id    String,
    -- when it happened (client clock, corrected by the collector); second precision on 18.16 ...
    event_time      DateTime('UTC'),
    -- ... so the exact instant is kept as epoch milliseconds too
    event_time_ms   UInt64,
    -- when the collector accepted it
    received_at     DateTime('UTC'),
    -- JSON object text: Segment properties, context and traits after PII tokenisation
    properties      String,
    context         String,
    traits          String,
    schema_version  UInt16,
    ingested_at     DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(event_time)
ORDER BY (tenant, customer_id, event_time, message_id);
