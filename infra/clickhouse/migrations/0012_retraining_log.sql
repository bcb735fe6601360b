-- Continuous retraining's decision log (decision 0021): one row per step of a retraining run —
-- triggers checked (with the PSI of every feature and of the score), challenger trained and
-- aliased, experiment started, analysis read (with the decision and why), champion promoted or
-- challenger retired, or the run failed. Rows are appended by the trainer and never updated; the
-- alias moves and experiment changes themselves are also in registry_changes and
-- experiment_changes, with actor `retraining` and the same reasons.
-- Must parse on ClickHouse 18.16 (no DateTime64: `time_ms` keeps the milliseconds next to `time`).
CREATE TABLE IF NOT EXISTS retraining_log
(
    -- unique id of the row
    event_id            String,
    -- shared by every row of one run
    run_id              String,
    -- 1, 2, 3, ... within the run: the order of its steps (several may share a millisecond)
    step_number         UInt32,
    time                DateTime('UTC'),
    time_ms             UInt64,
    -- who made the changes (`retraining`)
    actor               String,
    model_name          String,
    -- triggers_checked, challenger_trained, training_failed, challenger_aliased, experiment_started,
    -- analysis_read, champion_promoted, challenger_retired, run_failed
    step                String,
    -- the champion when the row was written (after a promotion: the new one)
    champion_version    UInt32,
    -- the challenger trained or evaluated; 0 when none
    challenger_version  UInt32,
    training_job_id     String,
    experiment_key      String,
    -- none, retrain (triggers_checked); wait, promote, retire (analysis_read and after); '' otherwise
    decision            String,
    -- why, in words
    reason              String,
    -- JSON: trigger evaluations with PSI values, the analysis read, the error
    details             String
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(time)
ORDER BY (model_name, time_ms, run_id, step_number);
