-- The model registry's control-plane state as an append-only change log (decision 0013): every
-- model created, version registered, alias set or deleted and version archived is one row, and the
-- registry derives its current state by replaying the rows in `seq` order at start-up. The one
-- writer instance assigns `seq` (1, 2, 3, ...) and appends before it answers; rows are never updated.
-- Must parse on ClickHouse 18.16 (no DateTime64: `time_ms` keeps the milliseconds next to `time`).
CREATE TABLE IF NOT EXISTS registry_changes
(
    -- position in the log, assigned by the writer; replay order
    seq               UInt64,
    -- unique id of the change (AuditEvent.event_id)
    event_id          String,
    time              DateTime('UTC'),
    -- epoch milliseconds of `time`, non-decreasing in `seq` order
    time_ms           UInt64,
    -- caller identity from the x-kuroshio-actor metadata
    actor             String,
    -- model_created, version_registered, alias_set, alias_deleted, version_archived
    action            String,
    model_name        String,
    -- the version concerned; for alias_set the version set, 0 for model_created and alias_deleted
    version           UInt32,
    alias             String,
    -- for alias changes: the version the alias pointed at before, 0 when it did not exist
    previous_version  UInt32,
    reason            String,
    -- RegisterModelVersion idempotency key, empty otherwise
    request_id        String,
    -- JSON: the model (model_created) or the version's artifacts, metrics, params and lineage
    payload           String
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(time)
ORDER BY seq;
