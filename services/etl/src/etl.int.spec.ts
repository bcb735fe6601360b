import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { ROOT_CONTEXT, TraceFlags, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { ClickHouseClient, ident, sql } from '@kuroshio/clickhouse';
import { partitionKey, TOPICS, validateTopicValue, type DeadLetterValue, type RawEventValue } from '@kuroshio/contracts';
import { KafkaClient, type ConsumedMessage } from '@kuroshio/kafka';
import { ObjectStore } from '@kuroshio/object-store';
import { createLogger } from '@kuroshio/telemetry';
import { stackEndpoints, uniqueName, waitFor } from '@kuroshio/testing';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawEventValue } from './testing/raw-event-fixtures.js';
import { startEtl } from './testing/etl-under-test.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const PYTHON = join(repoRoot, '.tools/venv/bin/python');
const logger = createLogger({ service: 'etl-int-test', level: 'warn' });
const endpoints = stackEndpoints();
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const traceContext = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED });

// Planted PII: none of these may appear anywhere the ETL writes, in any of these spellings.
const EMAILS = ['chen.meiling@example.com.tw', 'lin.zhiwei@bank.example', 'huang.yating@telco.example', 'wu.jianhong@mail.example'];
const PII = {
  nationalId: 'F131104093',
  mobile: '0932-123-456',
  card: '5555 5555 5555 4444',
  name: '林志玲',
  msisdn: '+886 932 555 777',
};
const FORBIDDEN = [...EMAILS, ...Object.values(PII), '0932123456', '5555555555554444', '886932555777'];

const GOOD = 20;

function charge(index: number, extra: Record<string, unknown> = {}) {
  const email = EMAILS[index % EMAILS.length]!;
  return rawEventValue({
    messageId: `charge-${index}`,
    userId: email,
    timestamp: `2026-11-27T0${index % 2}:15:00.000Z`,
    sentAt: '2026-11-27T01:20:00.000Z',
    receivedAt: '2026-11-27T01:20:03.000Z',
    context: { channel: index % 3 === 0 ? 'Mobile App' : 'web', traits: { phone: PII.mobile } },
    properties: {
      chargeId: `c-${index}`,
      amount: `${index + 1},000.50`,
      currency: 'twd',
      merchant: 'Taipei Games',
      dueDate: '2026-12-20',
      msisdn: PII.msisdn,
      note: `ID ${PII.nationalId}, card ${PII.card}, mail ${email}`,
    },
    ...extra,
  });
}

describe('etl against the local stack', () => {
  const rawTopic = uniqueName('it.etl.raw', '.');
  const cleanTopic = uniqueName('it.etl.clean', '.');
  const dlqTopic = uniqueName('it.etl.dlq', '.');
  const groupId = uniqueName('it-etl');
  const database = uniqueName('it_etl', '_');
  const prefix = `${uniqueName('it-etl')}/`;
  const bucket = endpoints.s3.buckets.lake;
  const env: Record<string, string> = {
    ETL_RAW_TOPIC: rawTopic,
    ETL_CLEAN_TOPIC: cleanTopic,
    ETL_DLQ_TOPIC: dlqTopic,
    ETL_CONSUMER_GROUP: groupId,
    ETL_LAKE_PREFIX: prefix,
    ETL_PII_KEY: randomBytes(32).toString('base64'),
    ETL_SINK_RETRY_DELAY_MS: '500',
    CLICKHOUSE_DATABASE: database,
  };
  const kafka = new KafkaClient({ ...endpoints.kafka, clientId: 'etl-int-test', logger });
  const clickhouse = new ClickHouseClient({ ...endpoints.clickhouse, database, logger });
  const store = new ObjectStore(endpoints.s3);
  let produced = 0;

  beforeAll(async () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    // The migrator CLI, as a deploy job runs it, against this test's own database.
    await run('npx', ['tsc', '-b', 'libs/clickhouse'], { cwd: repoRoot });
    await run(process.execPath, ['libs/clickhouse/dist/cli/migrate.js'], { cwd: repoRoot, env: { ...process.env, CLICKHOUSE_DATABASE: database } });
    await kafka.ensureTopics([
      { name: rawTopic, partitions: 2 },
      { name: cleanTopic, partitions: 2 },
      { name: dlqTopic, partitions: 1 },
    ]);

    const values: unknown[] = Array.from({ length: GOOD }, (_, i) => charge(i));
    values.push(rawEventValue({ messageId: 'identify-1', type: 'identify', event: undefined, userId: 'cust-77', traits: { name: PII.name, email: EMAILS[0], plan: 'gold' } }));
    values.push(charge(0)); // the SDK retried: same messageId, new record
    values.push(charge(90, { properties: { chargeId: 'c-90', amount: 5, currency: 'TWD', note: `card ${PII.card}` } })); // no merchant, no dueDate
    values.push(rawEventValue({ messageId: 'no-tenant', tenant: undefined, userId: EMAILS[1] }));
    const producer = kafka.producer();
    await producer.connect();
    const messages = values.map((value) => ({ key: partitionKey((value as RawEventValue).envelope), value: JSON.stringify(value) }));
    messages.push({ key: EMAILS[2]!, value: `{"envelope": {"userId": "${EMAILS[2]}"` });
    await producer.send(rawTopic, messages, { traceContext });
    await producer.disconnect();
    produced = messages.length;
  });

  afterAll(async () => {
    await kafka.deleteTopics([rawTopic, cleanTopic, dlqTopic]).catch(() => undefined);
    await kafka.disconnect();
    const dropper = new ClickHouseClient({ ...endpoints.clickhouse, database: 'default', logger });
    await dropper.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`).catch(() => undefined);
    await dropper.close();
    await clickhouse.close();
    for await (const object of store.list(bucket, prefix)) await store.remove(bucket, object.key);
    propagation.disable();
  });

  it('commits nothing while ClickHouse is down, and says so on /readyz', async () => {
    const etl = await startEtl({ ...env, CLICKHOUSE_URL: 'http://127.0.0.1:1' });
    try {
      await waitFor(async () => JSON.stringify(await (await fetch(`${etl.httpUrl}/readyz`)).json()).includes('sink clickhouse failed'), {
        timeoutMs: 60_000,
        description: 'a batch failing in the ClickHouse sink',
      });
    } finally {
      await etl.close();
    }
    expect(await committedOffsets(kafka, groupId, rawTopic)).toEqual(['-1', '-1']);
  });

  it('then, with ClickHouse back, lands every event once in ClickHouse and commits', async () => {
    const etl = await startEtl(env);
    try {
      await waitFor(async () => (await committedTotal(kafka, groupId, rawTopic)) === produced, { timeoutMs: 60_000, description: 'all offsets committed' });
      const ready = await fetch(`${etl.httpUrl}/readyz`);
      expect(ready.status).toBe(200);
      const metrics = await (await fetch(`${etl.httpUrl}/metrics`)).text();
      expect(metrics).toMatch(/etl_records_total\{[^}]*outcome="deduplicated"[^}]*\} 1/);
    } finally {
      await etl.close();
    }
    expect(await eventCount()).toEqual({ rows: String(GOOD + 1), ids: String(GOOD + 1) });
    const [row] = await clickhouse.query<{ properties: string; channel: string; customer_id: string; event_time: string }>(
      sql`SELECT properties, channel, customer_id, event_time FROM events FINAL WHERE message_id = 'charge-3'`,
    );
    expect(JSON.parse(row!.properties)).toMatchObject({ amount: 4000.5, currency: 'TWD' });
    expect(row!.channel).toBe('app');
    expect(row!.customer_id).toMatch(/^tok_email_/);
    // 01:15:00 on a device 3 s behind.
    expect(row!.event_time).toBe('2026-11-27 01:15:03');
  });

  it('keeps bad records in the DLQ topic and dead_letters with their reasons, and counts data quality', async () => {
    const letters = await clickhouse.query<{ reason_code: string; reason: string; message_id: string }>(
      sql`SELECT reason_code, reason, message_id FROM dead_letters FINAL ORDER BY source_offset`,
    );
    expect(letters.map((letter) => letter.reason_code).sort()).toEqual(['INVALID_ENVELOPE', 'INVALID_JSON', 'SCHEMA_MISMATCH']);
    expect(letters.find((letter) => letter.reason_code === 'SCHEMA_MISMATCH')?.reason).toMatch(/^etl\.schema: .*properties\.merchant/);

    const dlq = await consumeAll(kafka, dlqTopic, 3);
    const values = dlq.map((message) => validateTopicValue(TOPICS.eventsDlq, JSON.parse(String(message.value))));
    expect(values.every((value) => value.ok)).toBe(true);
    expect(values.map((value) => (value.ok ? `${value.value.stage}/${value.value.errorCode}` : '')).sort()).toEqual([
      'etl.decode/INVALID_JSON',
      'etl.schema/SCHEMA_MISMATCH',
      'etl.validate/INVALID_ENVELOPE',
    ]);
    expect(values.every((value) => value.ok && (value.value as DeadLetterValue).origin?.topic === rawTopic)).toBe(true);

    const quality = await clickhouse.query<{ outcome: string; reason_code: string; total: string }>(
      sql`SELECT outcome, reason_code, sum(records) AS total FROM data_quality GROUP BY outcome, reason_code ORDER BY outcome, reason_code`,
    );
    expect(quality.map(({ outcome, reason_code, total }) => `${outcome}:${reason_code}:${total}`)).toEqual([
      `accepted::${GOOD + 1}`,
      'deduplicated::1',
      'rejected:INVALID_ENVELOPE:1',
      'rejected:INVALID_JSON:1',
      'rejected:SCHEMA_MISMATCH:1',
    ]);
  });

  it('produces clean events keyed by the tokenised customer, in the trace they arrived with', async () => {
    const clean = await consumeAll(kafka, cleanTopic, GOOD + 1);
    expect(clean).toHaveLength(GOOD + 1);
    for (const message of clean) {
      expect(validateTopicValue(TOPICS.eventsClean, JSON.parse(String(message.value))).ok).toBe(true);
      expect(trace.getSpanContext(message.traceContext)?.traceId).toBe(TRACE_ID);
    }
    expect(clean.filter((message) => String(message.key).startsWith('tok_email_'))).toHaveLength(GOOD);
  });

  it('lands raw/ (every record once) and clean/ Parquet that pyarrow reads', async () => {
    const lake = await readLake(store, bucket, prefix);
    expect(lake.rawLines.map((line) => line.offset).sort()).toHaveLength(produced);
    expect(new Set(lake.rawLines.map((line) => `${line.partition}/${line.offset}`)).size).toBe(produced);
    expect(lake.cleanRows).toHaveLength(GOOD + 1);
    expect(lake.cleanKeys.every((key) => /\/clean\/dt=2026-11-27\/hour=0[01]\/topic=.+\/partition=[01]\/offsets=\d{9}-\d{9}\.parquet$/.test(key))).toBe(true);

    const directory = await mkdtemp(join(tmpdir(), 'etl-parquet-'));
    let pyarrowRows = 0;
    const pyarrowIds: string[] = [];
    const documents: Array<Record<string, unknown>> = [];
    for (const [index, key] of lake.cleanKeys.entries()) {
      const file = join(directory, `${index}.parquet`);
      await writeFile(file, await store.get(bucket, key));
      const { stdout } = await run(PYTHON, [
        '-c',
        [
          'import json,sys,pyarrow.parquet as pq',
          't = pq.read_table(sys.argv[1])',
          'docs = ["properties", "context", "traits", "tokenized_paths"]',
          // One json.loads must give the document itself (schema version 1 stored a JSON string of it).
          'decoded = [{d: json.loads(row[d]) for d in docs} | {"id": row["message_id"]} for row in t.to_pylist()]',
          'print(json.dumps({"rows": t.num_rows, "ids": t.column("message_id").to_pylist(), "types": str(t.schema.field("event_time").type), "documents": decoded}))',
        ].join('\n'),
        file,
      ]).catch((error: Error) => {
        throw new Error(`pyarrow must be installed in .tools/venv (pip install -r services/etl/requirements-test.txt): ${error.message}`);
      });
      const read = JSON.parse(stdout) as { rows: number; ids: string[]; types: string; documents: Array<Record<string, unknown>> };
      pyarrowRows += read.rows;
      pyarrowIds.push(...read.ids);
      expect(read.types).toMatch(/^timestamp\[ms/);
      documents.push(...read.documents);
    }
    expect(pyarrowRows).toBe(GOOD + 1);
    expect(pyarrowIds.sort()).toEqual(lake.cleanRows.map((row) => String(row.message_id)).sort());
    for (const document of documents) {
      expect([document['properties'], document['context'], document['traits']].every((value) => typeof value === 'object' && !Array.isArray(value))).toBe(true);
      expect(Array.isArray(document['tokenized_paths'])).toBe(true);
    }
    expect(documents.find((document) => document['id'] === 'charge-3')?.['properties']).toMatchObject({ amount: 4000.5, currency: 'TWD' });
  });

  it('leaves the planted PII nowhere: not in the lake, ClickHouse, events.clean or the DLQ', async () => {
    const lake = await readLake(store, bucket, prefix);
    const tables = await Promise.all(
      ['events', 'dead_letters', 'etl_record_outcomes'].map((table) => clickhouse.query(sql`SELECT * FROM ${ident(table)}`)),
    );
    const topics = [...(await consumeAll(kafka, cleanTopic, GOOD + 1)), ...(await consumeAll(kafka, dlqTopic, 3))].map((message) => ({
      key: String(message.key),
      value: String(message.value),
    }));
    const everything = [lake.rawText, JSON.stringify(lake.rawLines), JSON.stringify(lake.cleanRows, bigints), JSON.stringify(tables), JSON.stringify(topics)].join('\n');
    expect(everything.length).toBeGreaterThan(10_000);
    for (const value of FORBIDDEN) expect(everything, value).not.toContain(value);
    expect(everything).toContain('tok_email_');
  });

  it('replaying the same offsets changes nothing: ClickHouse and the lake still hold each event once', async () => {
    const before = await readLake(store, bucket, prefix);
    await kafka.resetGroupOffsets(groupId, rawTopic, { earliest: true });
    const etl = await startEtl(env);
    try {
      await waitFor(async () => (await committedTotal(kafka, groupId, rawTopic)) === produced, { timeoutMs: 60_000, description: 'the replay committed' });
    } finally {
      await etl.close();
    }
    const rows = await clickhouse.query<{ n: string }>(sql`SELECT count() AS n FROM events`);
    expect(Number(rows[0]!.n)).toBeGreaterThan(GOOD + 1); // written twice, not yet merged ...
    expect(await eventCount()).toEqual({ rows: String(GOOD + 1), ids: String(GOOD + 1) }); // ... and folded by FINAL
    await clickhouse.command(sql`OPTIMIZE TABLE events FINAL`);
    expect((await clickhouse.query<{ n: string }>(sql`SELECT count() AS n FROM events`))[0]!.n).toBe(String(GOOD + 1));
    const letters = await clickhouse.query<{ n: string }>(sql`SELECT count() AS n FROM dead_letters FINAL`);
    expect(letters[0]!.n).toBe('3');
    const after = await readLake(store, bucket, prefix);
    expect(after.rawKeys.sort()).toEqual(before.rawKeys.sort());
    expect(after.rawLines).toHaveLength(produced);
    expect(after.cleanRows).toHaveLength(GOOD + 1);
  });

  it('drops a client retry whose first copy was processed before a restart (dedup window loaded from ClickHouse)', async () => {
    const retry = charge(5);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send(rawTopic, [{ key: partitionKey(retry.envelope), value: JSON.stringify(retry) }]);
    await producer.disconnect();
    produced += 1;
    // A new process: its in-memory window starts empty.
    const etl = await startEtl(env);
    try {
      await waitFor(async () => (await committedTotal(kafka, groupId, rawTopic)) === produced, { timeoutMs: 60_000, description: 'the retry committed' });
    } finally {
      await etl.close();
    }
    const outcomes = await clickhouse.query<{ outcome: string; n: string }>(
      sql`SELECT outcome, toString(count()) AS n FROM etl_record_outcomes FINAL GROUP BY outcome ORDER BY outcome`,
    );
    expect(outcomes).toContainEqual({ outcome: 'deduplicated', n: '2' });
    expect(await eventCount()).toEqual({ rows: String(GOOD + 1), ids: String(GOOD + 1) });
    const lake = await readLake(store, bucket, prefix);
    expect(lake.rawLines).toHaveLength(produced);
    expect(lake.cleanRows).toHaveLength(GOOD + 1);
    expect(lake.cleanRows.filter((row) => row.message_id === 'charge-5')).toHaveLength(1);
  });

  async function eventCount() {
    const [row] = await clickhouse.query<{ rows: string; ids: string }>(sql`SELECT count() AS rows, uniqExact(message_id) AS ids FROM events FINAL`);
    return row;
  }
});

function bigints(_key: string, value: unknown) {
  return typeof value === 'bigint' ? value.toString() : value;
}

async function committedOffsets(kafka: KafkaClient, groupId: string, topic: string): Promise<string[]> {
  return (await kafka.groupOffsets(groupId, topic)).sort((a, b) => a.partition - b.partition).map((partition) => partition.offset);
}

async function committedTotal(kafka: KafkaClient, groupId: string, topic: string): Promise<number> {
  return (await committedOffsets(kafka, groupId, topic)).reduce((sum, offset) => sum + Math.max(0, Number(offset)), 0);
}

async function consumeAll(kafka: KafkaClient, topic: string, count: number): Promise<ConsumedMessage[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('it-etl-reader'), topics: [topic], fromBeginning: true });
  const received: ConsumedMessage[] = [];
  await consumer.start(async (batch) => {
    received.push(...batch.messages);
  });
  try {
    await waitFor(() => received.length >= count, { timeoutMs: 45_000, description: `${count} records on ${topic}` });
  } finally {
    await consumer.disconnect();
  }
  return received;
}

interface LakeContents {
  rawKeys: string[];
  cleanKeys: string[];
  rawText: string;
  rawLines: Array<{ partition: number; offset: string; value: string | null }>;
  cleanRows: Record<string, unknown>[];
}

async function readLake(store: ObjectStore, bucket: string, prefix: string): Promise<LakeContents> {
  const contents: LakeContents = { rawKeys: [], cleanKeys: [], rawText: '', rawLines: [], cleanRows: [] };
  for await (const object of store.list(bucket, prefix)) {
    if (object.key.startsWith(`${prefix}raw/`)) {
      contents.rawKeys.push(object.key);
      const text = gunzipSync(await store.get(bucket, object.key)).toString('utf8');
      contents.rawText += text;
      contents.rawLines.push(...text.trim().split('\n').map((line) => JSON.parse(line) as LakeContents['rawLines'][number]));
    } else if (object.key.startsWith(`${prefix}clean/`)) {
      contents.cleanKeys.push(object.key);
      const body = await store.get(bucket, object.key);
      contents.cleanRows.push(...(await parquetReadObjects({ file: body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer })));
    }
  }
  return contents;
}
