-- Every prediction inference served (kuroshio.serving.predictions.v1, landed by its warehouse sink):
-- audit of what each model said, the input to experiment analysis, and train/serve skew checks by
-- feature_vector_hash. One row per scored instance; a batch request's items carry "<request>#<i>".
-- Must parse on ClickHouse 18.16 and current releases (no DateTime64: exact instant in served_at_ms).
-- Replays of the topic insert the same rows again; ReplacingMergeTree folds them by the sort key.
CREATE TABLE IF NOT EXISTS predictions
(
    request_id           String,
    -- empty when the caller sent explicit features only
    entity_id            String,
    model_name           String,
    model_version        UInt32,
    -- full, quantized-uint8 or quantized-float16
    artifact             String,
    -- empty when no experiment routed the request
    experiment_key       String,
    variant              String,
    -- the first score (the positive-class probability of a binary classifier), then all of them
    score                Float64,
    scores               Array(Float64),
    latency_ms           Float64,
    feature_vector_hash  String,
    served_at            DateTime('UTC'),
    served_at_ms         UInt64,
    ingested_at          DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(served_at)
ORDER BY (model_name, served_at, request_id);
