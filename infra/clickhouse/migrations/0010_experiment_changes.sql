-- The experiment service's control-plane state as an append-only change log (decision 0020): every
-- experiment created, started and stopped is one row, and the service derives its current state by
-- replaying the rows in `seq` order at start-up. The one writer instance assigns `seq` (1, 2, 3, ...)
-- and appends before it answers; rows are never updated. `revision` is the experiment's own change
-- counter (1 when created, +1 on every later change), the revision exposures carry.
-- Must parse on ClickHouse 18.16 (no DateTime64: `time_ms` keeps the milliseconds next to `time`).
CREATE TABLE IF NOT EXISTS experiment_changes
(
    -- position in the log, assigned by the writer; replay order
    seq             UInt64,
    -- unique id of the change
    event_id        String,
    time            DateTime('UTC'),
    -- epoch milliseconds of `time`, non-decreasing in `seq` order
    time_ms         UInt64,
    -- caller identity from the x-kuroshio-actor metadata
    actor           String,
    -- experiment_created, experiment_started, experiment_stopped
    action          String,
    experiment_key  String,
    -- the experiment's revision after this change
    revision        UInt32,
    -- why (StopExperiment's reason, or x-kuroshio-reason)
    reason          String,
    -- JSON: the definition (experiment_created); '{}' otherwise
    payload         String
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(time)
ORDER BY seq;
