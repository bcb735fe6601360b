// The reference: ClickHouse's own Kafka table engine consuming the same topic into a MergeTree.
// ClickHouse 18.16 (Debian) links the system librdkafka (2.0.x), which talks to Kafka 4.x.
// A new group of the engine starts at the end of the topic (auto.offset.reset = largest, only
// changeable in the server config), so the group's offsets are set to the earliest ones first.
// Each message is read as one TabSeparated String (our JSON has no raw tabs or newlines) and the
// view extracts the columns a minimal pipeline needs: the least work "into a MergeTree" can be.
import { clickhouse, safeName } from './clickhouse-http.mjs';
import { pollUntil } from './progress.mjs';

export async function kafkaEngineReference({ env, database, topic, group, expected, resetOffsets, log }) {
  const ch = clickhouse(env);
  const db = safeName(database);
  await resetOffsets(group);
  await ch.run(`CREATE TABLE ${db}.raw_queue (value String) ENGINE = Kafka SETTINGS
    kafka_broker_list = '${env.KAFKA_BROKERS.split(',')[0]}', kafka_topic_list = '${safeName(topic)}',
    kafka_group_name = '${safeName(group)}', kafka_format = 'TabSeparated', kafka_row_delimiter = '\\n',
    kafka_num_consumers = 2`);
  await ch.run(`CREATE TABLE ${db}.raw_events (message_id String, tenant String, type String, event String,
    user_id String, received_at String, value String) ENGINE = MergeTree ORDER BY (tenant, message_id)`);
  const started = performance.now();
  await ch.run(`CREATE MATERIALIZED VIEW ${db}.raw_events_mv TO ${db}.raw_events AS SELECT
    visitParamExtractString(value, 'messageId') AS message_id, visitParamExtractString(value, 'tenant') AS tenant,
    visitParamExtractString(value, 'type') AS type, visitParamExtractString(value, 'event') AS event,
    visitParamExtractString(value, 'userId') AS user_id, visitParamExtractString(value, 'receivedAt') AS received_at,
    value FROM ${db}.raw_queue`);
  const progress = await pollUntil({
    read: () => ch.number(`SELECT count() FROM ${db}.raw_events`),
    done: (count) => count >= expected,
    timeoutMs: 90_000,
    what: 'ClickHouse Kafka engine',
    log,
  });
  // Stop consuming before the ETL runs: the engine's consumers would compete for the same cores.
  await ch.run(`DROP TABLE ${db}.raw_events_mv`);
  await ch.run(`DROP TABLE ${db}.raw_queue`);
  return { ...progress, sinceCreateSeconds: (progress.doneAt - started) / 1000 };
}
