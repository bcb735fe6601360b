-- One row per served prediction (decision 0019). 0008 folded rows by (model_name, served_at,
-- request_id), but request_id is the caller's and served_at has whole seconds: two predictions a
-- caller sent under one request id within a second (two entities, two versions, two variants)
-- folded into one row, and the audit lost one of them.
--
-- prediction_id is the server's id of one prediction (kuroshio.serving.predictions.v1
-- `predictionId`: a UUID per request, then `#<row>`). Appended to the sorting key, it makes every
-- served prediction its own row, while a redelivery of the same record (a Kafka replay, a resent
-- log batch) repeats it and still folds. request_id keeps the caller's id for lookups.
--
-- ClickHouse 18.16 cannot add existing columns to a sorting key, but it can append a column added in
-- the same ALTER, so the table, its name and every reader stay as they are. Rows landed before this
-- migration (and records written before the field existed) have prediction_id '' and fold as before.
-- One ALTER, applied whole or not at all; 18.16 has no ADD COLUMN IF NOT EXISTS, so if it applied
-- but was not recorded in schema_migrations, the rerun fails with "already exists" instead of
-- changing anything.
ALTER TABLE predictions
    ADD COLUMN prediction_id String AFTER request_id,
    MODIFY ORDER BY (model_name, served_at, request_id, prediction_id);
