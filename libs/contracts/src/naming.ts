// Names that end up in Kafka keys, S3 keys, metric labels and (escaped) ClickHouse values.
// Restricting them up front keeps every one of those places simple and injection-free.

/** Registered model names, e.g. "bad-debt". */
export const MODEL_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

/** Model aliases, e.g. "champion". */
export const ALIAS_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

/** Experiment keys, e.g. "bad-debt_challenger-2025q3". */
export const EXPERIMENT_KEY_PATTERN = /^[a-z][a-z0-9_-]{0,62}$/;

/** Kafka topic names: `kuroshio.<area>.<name>.v<n>`. */
export const TOPIC_NAME_PATTERN = /^kuroshio\.([a-z]+)\.([a-z][a-z-]*)\.v([1-9][0-9]*)$/;
