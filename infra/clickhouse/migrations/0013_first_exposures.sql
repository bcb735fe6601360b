-- Each unit's first exposure per experiment and variant, kept by a materialised view on `exposures`
-- (decision 0020), so the analysis reads one row per unit and variant instead of every exposure and
-- needs no hashing of unit ids. `unit_hash` is cityHash64(unit_id), the key the analysis groups a
-- unit and its events by (events carry customer_id = unit_id).
--
-- Rows are partial minima until merged: readers take min() over a unit's rows (never assume one row
-- per key). The analysis as of an instant T keeps the rows whose minimum is < T, which equals the
-- minimum over the exposures before T. Must parse on ClickHouse 18.16 (no SimpleAggregateFunction).
CREATE TABLE IF NOT EXISTS first_exposures
(
    experiment_key       String,
    unit_hash            UInt64,
    variant              String,
    -- min(exposed_at_ms) over the exposures merged into this row
    first_exposed_at_ms  AggregateFunction(min, UInt64)
)
ENGINE = AggregatingMergeTree()
ORDER BY (experiment_key, unit_hash, variant);

CREATE MATERIALIZED VIEW IF NOT EXISTS first_exposures_mv TO first_exposures AS
SELECT experiment_key, cityHash64(unit_id) AS unit_hash, variant, minState(exposed_at_ms) AS first_exposed_at_ms
FROM exposures
GROUP BY experiment_key, unit_hash, variant;

-- Exposures that landed before the view existed. Rows the view also caught, or a second run of this
-- file after a failure, only add the same minima again, which changes no minimum.
INSERT INTO first_exposures (experiment_key, unit_hash, variant, first_exposed_at_ms)
SELECT experiment_key, cityHash64(unit_id) AS unit_hash, variant, minState(exposed_at_ms)
FROM exposures
GROUP BY experiment_key, unit_hash, variant;
