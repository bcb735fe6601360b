import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { ClickHouseClient, ident, sql } from '@kuroshio/clickhouse';
import { KafkaClient, type ConsumedMessage } from '@kuroshio/kafka';
import { createLogger } from '@kuroshio/telemetry';
import { stackEndpoints, uniqueName } from '@kuroshio/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PredictionLog, type LogSender } from '../domain/prediction-log.js';
import { Predictor, type PredictionInput } from '../domain/predictor.js';
import { catalogOver, FakeExperimentDirectory, FakeOnlineFeatures, InMemoryModels } from '../testing/in-memory-serving.js';
import { predictionsWarehouseSink } from './predictions-warehouse-sink.js';

// The prediction log's records, as the predictor writes them, landed by the warehouse sink in a
// freshly migrated `predictions` table on the local ClickHouse: one row per served prediction,
// whatever request id the caller reuses, and one row per record however often it is delivered.

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const logger = createLogger({ service: 'predictions-sink-int-test', level: 'error' });
const endpoints = stackEndpoints();
const database = uniqueName('it_predictions', '_');
const clickhouse = new ClickHouseClient({ ...endpoints.clickhouse, database, logger });
const kafka = new KafkaClient({ ...endpoints.kafka, clientId: 'predictions-sink-int-test', logger });

/** Keeps the raw records the predictor hands to Kafka. */
class CapturingSender implements LogSender {
  readonly records: Array<{ key: string; value: Buffer }> = [];
  async send(_topic: string, messages: ReadonlyArray<{ key: string; value: Buffer }>): Promise<void> {
    this.records.push(...messages);
  }
}

function consumed(record: { key: string; value: Buffer }, offset: number): ConsumedMessage {
  return { topic: 'predictions', partition: 0, offset: String(offset), key: Buffer.from(record.key), value: record.value, headers: {}, timestamp: '0', traceContext: ROOT_CONTEXT };
}

beforeAll(async () => {
  await promisify(execFile)('npx', ['tsc', '-b', 'libs/clickhouse'], { cwd: repoRoot });
  await promisify(execFile)(process.execPath, ['libs/clickhouse/dist/cli/migrate.js'], { cwd: repoRoot, env: { ...process.env, CLICKHOUSE_DATABASE: database } });
});

afterAll(async () => {
  await clickhouse.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`).catch(() => undefined);
  await clickhouse.close();
  await kafka.disconnect();
});

describe('predictions landed in ClickHouse', () => {
  it('keeps every served prediction of a reused request id in one second as its own row; a redelivered record still folds', async () => {
    const models = new InMemoryModels().register('bad-debt', [1, 2], { champion: 1 });
    const catalog = catalogOver(models, { batching: { maxQueuedRows: 100 } });
    const sender = new CapturingSender();
    const log = new PredictionLog(sender, { capacity: 100, sendBatch: 100, retryMs: 10 });
    const features = new FakeOnlineFeatures(new Map([['cust-A', [250, 1]], ['cust-B', [120, 0]]]));
    const predictor = new Predictor({ catalog, features, experiments: new FakeExperimentDirectory(), log, topics: { predictions: 'predictions', exposures: 'exposures' }, maxBatchInstances: 10 });
    const request = (entityId: string, version: number): PredictionInput => ({
      target: { modelName: 'bad-debt', version },
      instances: [{ entityId, features: {} }],
      requestId: '7',
      experimentKey: '',
      deadlineMs: Date.now() + 5_000,
      batch: false,
    });

    // Every prediction in the same wall-clock second (served_at's resolution).
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-27T09:30:00.250Z'));
    try {
      // Two customers under the caller's one request id, and the same customer served twice.
      for (const [entityId, version] of [['cust-A', 1], ['cust-B', 2], ['cust-A', 1]] as const) await predictor.predict(request(entityId, version));
      await log.close(5_000);
    } finally {
      vi.useRealTimers();
    }
    expect(sender.records).toHaveLength(3);

    const sink = predictionsWarehouseSink({ kafka, clickhouse, logger, groupId: uniqueName('it-predictions'), topicName: 'predictions' });
    const land = (records: ReadonlyArray<{ key: string; value: Buffer }>, from: number) =>
      sink.land({ topic: 'predictions', partition: 0, highWatermark: '0', heartbeat: async () => undefined, messages: records.map((r, i) => consumed(r, from + i)) });
    await land(sender.records, 0);
    // A redelivery (a replay after a crash before the commit, a log batch sent again) of the first record.
    await land(sender.records.slice(0, 1), 3);

    const rows = await clickhouse.query<{ request_id: string; entity_id: string; model_version: number; served_at_ms: string }>(
      sql`SELECT request_id, entity_id, model_version, served_at_ms FROM predictions FINAL ORDER BY entity_id, model_version`,
    );
    expect(rows).toEqual([
      { request_id: '7', entity_id: 'cust-A', model_version: 1, served_at_ms: '1795771800250' },
      { request_id: '7', entity_id: 'cust-A', model_version: 1, served_at_ms: '1795771800250' },
      { request_id: '7', entity_id: 'cust-B', model_version: 2, served_at_ms: '1795771800250' },
    ]);
    const [stored] = await clickhouse.query<{ n: string }>(sql`SELECT count() AS n FROM predictions`);
    expect(stored?.n).toBe('4');
  });
});
