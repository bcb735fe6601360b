import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ClickHouseClient, ident, sql } from '@kuroshio/clickhouse';
import { TOPICS, type PredictionValue } from '@kuroshio/contracts';
import { KafkaClient } from '@kuroshio/kafka';
import { createLogger } from '@kuroshio/telemetry';
import { stackEndpoints, uniqueName, waitFor } from '@kuroshio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TopicWarehouseSink } from './topic-warehouse-sink.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const logger = createLogger({ service: 'warehouse-sink-int-test', level: 'error' });

describe('TopicWarehouseSink on the real stack', () => {
  const endpoints = stackEndpoints();
  const topicName = uniqueName('it.sink.predictions', '.');
  const groupId = uniqueName('it-sink');
  const database = uniqueName('it_sink', '_');
  const kafka = new KafkaClient({ ...endpoints.kafka, clientId: 'warehouse-sink-int-test', logger });
  const clickhouse = new ClickHouseClient({ ...endpoints.clickhouse, database, logger });

  const prediction = (n: number): PredictionValue => ({
    requestId: `req-${n}`,
    entityId: n % 2 === 0 ? `cust-${n}` : null,
    modelName: 'bad-debt',
    modelVersion: 3,
    artifact: 'full',
    experimentKey: n % 3 === 0 ? 'bad-debt_challenger' : null,
    variant: n % 3 === 0 ? 'challenger' : null,
    scores: [n / 100],
    latencyMs: 1.25,
    featureVectorHash: 'a'.repeat(64),
    servedAt: new Date(Date.UTC(2026, 10, 1, 12, 0, n)).toISOString(),
  });
  const sink = () =>
    new TopicWarehouseSink({
      topic: TOPICS.servingPredictions,
      topicName,
      groupId,
      table: 'predictions',
      kafka,
      clickhouse,
      logger,
      toRow: (value) => ({
        request_id: value.requestId,
        entity_id: value.entityId ?? '',
        model_name: value.modelName,
        model_version: value.modelVersion,
        artifact: value.artifact,
        experiment_key: value.experimentKey ?? '',
        variant: value.variant ?? '',
        score: value.scores[0],
        scores: value.scores,
        latency_ms: value.latencyMs,
        feature_vector_hash: value.featureVectorHash,
        served_at: value.servedAt.slice(0, 19).replace('T', ' '),
        served_at_ms: Date.parse(value.servedAt),
      }),
    });

  beforeAll(async () => {
    // The migrator CLI, as a deploy job runs it, against this test's own database.
    await promisify(execFile)('npx', ['tsc', '-b', 'libs/clickhouse'], { cwd: repoRoot });
    await promisify(execFile)(process.execPath, ['libs/clickhouse/dist/cli/migrate.js'], { cwd: repoRoot, env: { ...process.env, CLICKHOUSE_DATABASE: database } });
    await kafka.ensureTopics([{ name: topicName, partitions: 2 }]);
  });

  afterAll(async () => {
    await clickhouse.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`).catch(() => undefined);
    await clickhouse.close();
    await kafka.disconnect();
  });

  it('lands valid records in the table and a record that breaks the contract in dead_letters, then resumes after a restart without losing any', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send(topicName, [0, 1, 2, 3].map((n) => ({ key: `k${n}`, value: JSON.stringify(prediction(n)) })));
    await producer.send(topicName, [{ key: 'bad', value: JSON.stringify({ ...prediction(9), scores: [] }) }]);

    const first = sink();
    await first.start();
    const count = async (query: ReturnType<typeof sql>) => Number((await clickhouse.query<{ n: string }>(query))[0]?.n ?? 0);
    await waitFor(async () => (await count(sql`SELECT count() AS n FROM predictions FINAL`)) === 4 && (await count(sql`SELECT count() AS n FROM dead_letters`)) === 1, {
      timeoutMs: 60_000,
      description: 'first records landed',
    });
    await first.stop();

    // Stopped: new records wait in Kafka and land when a new instance of the group starts.
    await producer.send(topicName, [4, 5].map((n) => ({ key: `k${n}`, value: JSON.stringify(prediction(n)) })));
    await producer.disconnect();
    const second = sink();
    await second.start();
    await waitFor(async () => (await count(sql`SELECT count() AS n FROM predictions FINAL`)) === 6, { timeoutMs: 60_000, description: 'records sent while stopped landed' });
    await second.stop();

    const rows = await clickhouse.query<{ request_id: string; entity_id: string; score: number; experiment_key: string }>(
      sql`SELECT request_id, entity_id, score, experiment_key FROM predictions FINAL ORDER BY request_id`,
    );
    expect(rows.map((row) => row.request_id)).toEqual(['req-0', 'req-1', 'req-2', 'req-3', 'req-4', 'req-5']);
    expect(rows[0]).toMatchObject({ entity_id: 'cust-0', score: 0, experiment_key: 'bad-debt_challenger' });
    expect(rows[1]).toMatchObject({ entity_id: '', experiment_key: '' });
    const [dead] = await clickhouse.query<{ reason_code: string; reason: string; record_key: string }>(sql`SELECT reason_code, reason, record_key FROM dead_letters`);
    expect(dead).toMatchObject({ reason_code: 'sink.invalid_value', record_key: 'bad' });
    expect(dead?.reason).toMatch(/scores/);
  });
});
