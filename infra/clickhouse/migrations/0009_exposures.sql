-- Units that experienced an experiment variant (kuroshio.experiment.exposures.v1, landed by its
-- warehouse sink). Analysis starts each unit at its first exposure: min(exposed_at_ms) per unit.
-- Must parse on ClickHouse 18.16 and current releases; replays fold by the sort key.
CREATE TABLE IF NOT EXISTS exposures
(
    experiment_key  String,
    variant         String,
    unit_id         String,
    revision        UInt32,
    -- experiment (an Assign call) or inference (a prediction routed by the experiment)
    recorded_by     String,
    request_id      String,
    exposed_at      DateTime('UTC'),
    exposed_at_ms   UInt64,
    ingested_at     DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(exposed_at)
ORDER BY (experiment_key, unit_id, exposed_at_ms, variant);
