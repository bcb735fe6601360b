// ETL throughput from events.raw to every sink (lake raw/ + clean/, ClickHouse, events.clean/dlq),
// beside ClickHouse's own Kafka table engine consuming the same topic into a MergeTree.
//
// 1. Pre-fills a fresh 12-partition raw topic with N realistic ~580-byte events (the Kafka wrapper).
// 2. Reference: a Kafka engine table + materialized view into a MergeTree, in a fresh database.
// 3. The built ETL as ETL_BENCH_PROCESSES processes (default: one per core) of a fresh group, with a
//    fresh ClickHouse database (migrated) and lake prefix, until etl_record_outcomes holds every
//    record and the group's lag is 0 (offsets are committed only after every sink holds a batch).
// Both rates are end to end: from starting the consumers (spawning the ETL / creating the view) to
// the last row, so each includes its group join; steady-state rates (bench/etl/progress.mjs) are in
// params where the polls could see one (the Kafka engine often lands everything in one insert).
// Afterwards the lake and ClickHouse are checked: every raw offset exactly once, clean rows = accepted.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { clickhouse } from './etl/clickhouse-http.mjs';
import { cpuInterval, stackPids } from './etl/cpu-accounting.mjs';
import { startEtlProcesses } from './etl/etl-processes.mjs';
import { kafkaEngineReference } from './etl/kafka-engine-reference.mjs';
import { lakeCensus, removePrefix } from './etl/lake-census.mjs';
import { pollUntil } from './etl/progress.mjs';
import { rawEvent } from './etl/raw-events.mjs';

const EVENTS = Number(process.env.ETL_BENCH_EVENTS || 300_000);
const PROCESSES = Number(process.env.ETL_BENCH_PROCESSES || cpus().length);
const PARTITIONS = 12;
const FIRST_HTTP_PORT = 17_120;
// Node flags for the ETL processes: by default the service's own (services/etl/project.json serve,
// the chart's nodeOptions); add e.g. "--cpu-prof --cpu-prof-dir=/tmp/etl-prof" to profile them.
const NODE_FLAGS = (process.env.ETL_BENCH_NODE_FLAGS ?? '--max-semi-space-size=16').split(' ').filter(Boolean);

export default async function run(ctx) {
  const loadAtStart = Number(loadavg()[0].toFixed(2));
  const { env, log } = ctx;
  if (!existsSync(join(ctx.root, 'services/etl/dist/main.js'))) throw new Error('build the ETL first: npx tsc -b services/etl');
  const dist = (lib) => import(join(ctx.root, `libs/${lib}/dist/index.js`));
  const [{ KafkaClient }, { createLogger }, { ObjectStore }, { Secret }] = await Promise.all([dist('kafka'), dist('telemetry'), dist('object-store'), dist('config')]);
  const logger = createLogger({ service: 'etl-bench', level: 'warn' });

  const id = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const topics = { raw: `kuroshio.bench.etl-raw-${id}.v1`, clean: `kuroshio.bench.etl-clean-${id}.v1`, dlq: `kuroshio.bench.etl-dlq-${id}.v1` };
  const database = `bench_etl_${id}`;
  const lakePrefix = `bench/etl-${id}/`;
  const bucket = env.S3_LAKE_BUCKET;
  const ch = clickhouse(env);
  const store = new ObjectStore({ endpoint: env.S3_ENDPOINT, region: env.S3_REGION, accessKey: env.S3_ACCESS_KEY, secretKey: new Secret(env.S3_SECRET_KEY) });
  const kafka = new KafkaClient({ brokers: env.KAFKA_BROKERS.split(','), clientId: 'etl-bench', logger });
  let etl;
  try {
    const benchTopic = { replicationFactor: 1, retentionMs: 900_000 };
    await kafka.ensureTopics([
      { name: topics.raw, partitions: PARTITIONS, ...benchTopic },
      { name: topics.clean, partitions: 6, ...benchTopic },
      { name: topics.dlq, partitions: 1, ...benchTopic },
    ]);

    log(`producing ${EVENTS} events to ${topics.raw}`);
    const produced = await prefill(kafka, topics.raw);
    log(`produced in ${produced.seconds.toFixed(1)} s (${Math.round(EVENTS / produced.seconds)} events/s), ${produced.bytesPerEvent} B/event`);

    await ch.run(`CREATE DATABASE ${database}`);
    await ctx.exec(process.execPath, ['libs/clickhouse/dist/cli/migrate.js'], { env: { ...env, CLICKHOUSE_DATABASE: database }, timeoutMs: 60_000 });

    log('reference: ClickHouse Kafka engine');
    const resetOffsets = (group) => kafka.resetGroupOffsets(group, topics.raw, { earliest: true });
    const reference = await kafkaEngineReference({ env, database, topic: topics.raw, group: `bench-ch-${id}`, expected: EVENTS, resetOffsets, log });
    const referenceRate = EVENTS / reference.sinceCreateSeconds;
    log(`reference: ${Math.round(referenceRate)} rows/s end to end (${reference.sinceCreateSeconds.toFixed(1)} s)`);

    log(`etl: ${PROCESSES} process(es)`);
    const group = `bench-etl-${id}`;
    const spawnedAt = performance.now();
    etl = startEtlProcesses({
      root: ctx.root,
      count: PROCESSES,
      firstPort: FIRST_HTTP_PORT,
      nodeFlags: NODE_FLAGS,
      log,
      env: {
        ...env,
        CLICKHOUSE_DATABASE: database,
        LOG_LEVEL: 'warn',
        ETL_RAW_TOPIC: topics.raw,
        ETL_CLEAN_TOPIC: topics.clean,
        ETL_DLQ_TOPIC: topics.dlq,
        ETL_CONSUMER_GROUP: group,
        ETL_LAKE_PREFIX: lakePrefix,
        ETL_PII_KEY: randomBytes(32).toString('base64'),
      },
    });
    const servers = stackPids(ctx.stackDir);
    const cpu = cpuInterval({ etl: etl.pids, kafka: [servers.kafka], clickhouse: [servers.clickhouse], s3: [servers.s3], bench_runner: [process.pid] });
    const lag = async () => {
      const committed = await kafka.groupOffsets(group, topics.raw);
      const ends = new Map((await kafka.topicOffsets(topics.raw)).map((p) => [p.partition, BigInt(p.high)]));
      return committed.reduce((sum, p) => sum + (ends.get(p.partition) - (p.offset === '-1' ? 0n : BigInt(p.offset))), 0n);
    };
    const progress = await pollUntil({
      read: async () => {
        if (!etl.alive()) throw new Error('an etl process died');
        const count = await ch.number(`SELECT count() FROM etl_record_outcomes`, database);
        return count >= EVENTS && (await lag()) === 0n ? count : Math.min(count, EVENTS - 1);
      },
      done: (count) => count >= EVENTS,
      timeoutMs: 150_000,
      what: 'etl',
      log,
    });
    const cpuUse = cpu.stop();
    const peakRss = etl.peakRssMiB();
    await etl.stop();
    etl = undefined;
    const etlSeconds = (progress.doneAt - spawnedAt) / 1000;
    const etlRate = EVENTS / etlSeconds;
    log(`cpu: ${JSON.stringify(cpuUse)}, etl ${((cpuUse.cpu_seconds.etl * 1e6) / EVENTS).toFixed(1)} µs/event`);
    log(`etl: ${Math.round(etlRate)} events/s end to end (${etlSeconds.toFixed(1)} s), ${Math.round(progress.rowsPerSec ?? 0)} steady, peak RSS ${peakRss.join(' + ')} MiB`);

    // Exactly once: every raw offset in one raw/ line, every accepted event one clean/ row and one `events` row.
    const outcomes = await ch.run(`SELECT outcome, count() FROM etl_record_outcomes FINAL GROUP BY outcome ORDER BY outcome FORMAT JSONCompact`, database);
    const byOutcome = Object.fromEntries(JSON.parse(outcomes).data.map(([name, count]) => [name, Number(count)]));
    const events = await ch.number(`SELECT count() FROM events FINAL`, database);
    const lake = await lakeCensus(store, bucket, lakePrefix);
    const checks = {
      outcomes: byOutcome,
      events_rows: events,
      lake,
      ok: lake.rawLines === EVENTS && lake.rawRepeated === 0 && lake.cleanRows === (byOutcome.accepted ?? 0) && events === (byOutcome.accepted ?? 0),
    };
    if (!checks.ok) throw new Error(`etl output does not match its input: ${JSON.stringify(checks)}`);

    const common = {
      events: EVENTS,
      bytes_per_event: produced.bytesPerEvent,
      raw_partitions: PARTITIONS,
      cpus: cpus().length,
      load_avg_1m_at_start: loadAtStart,
      note: 'Kafka broker, ClickHouse 18.16, SeaweedFS, the ETL and this runner share the machine; rates are end to end from starting the consumers, group join included',
    };
    const etlParams = {
      ...common,
      etl_processes: PROCESSES,
      partitions_consumed_concurrently_per_process: Number(process.env.ETL_PARTITIONS_CONCURRENTLY || 2),
      etl_node_flags: NODE_FLAGS,
      cpu_during_etl_run: cpuUse,
      // The robust figure on a shared machine: ETL CPU (user + system, all processes) per event.
      etl_cpu_us_per_event: Number(((cpuUse.cpu_seconds.etl * 1e6) / EVENTS).toFixed(1)),
      etl_seconds: Number(etlSeconds.toFixed(2)),
      etl_steady_events_per_sec: progress.rowsPerSec === null ? null : Math.round(progress.rowsPerSec),
      reference_seconds: Number(reference.sinceCreateSeconds.toFixed(2)),
      reference_steady_rows_per_sec: reference.rowsPerSec === null ? null : Math.round(reference.rowsPerSec),
      reference: 'ClickHouse 18.16 Kafka engine (librdkafka 2.0.2), 2 consumers, TabSeparated String + visitParamExtract columns into a MergeTree',
      target_events_per_sec: 50_000,
      checks,
    };
    return [
      {
        name: 'etl/events-per-sec',
        unit: 'events/s',
        value: Math.round(etlRate),
        better: 'higher',
        reference: { name: 'clickhouse-kafka-engine/rows-per-sec', value: Math.round(referenceRate) },
        params: etlParams,
      },
      {
        name: 'etl/peak-rss',
        unit: 'MiB',
        value: Math.max(...peakRss),
        better: 'lower',
        reference: null,
        params: { ...common, etl_processes: PROCESSES, per_process_mib: peakRss },
      },
    ];
  } finally {
    await etl?.stop();
    await kafka.deleteTopics(Object.values(topics)).catch(() => undefined);
    await kafka.disconnect().catch(() => undefined);
    await ch.run(`DROP DATABASE IF EXISTS ${database}`).catch(() => undefined);
    await removePrefix(store, bucket, lakePrefix).catch(() => undefined);
  }
}

async function prefill(kafka, topic) {
  const producer = kafka.producer();
  await producer.connect();
  const started = performance.now();
  const now = Date.now();
  const CHUNK = 4_000;
  const IN_FLIGHT = 4;
  let next = 0;
  let bytes = 0;
  const worker = async () => {
    while (next < EVENTS) {
      const start = next;
      next = Math.min(EVENTS, next + CHUNK);
      const messages = [];
      for (let i = start; i < next; i++) {
        const { key, value } = rawEvent(i, now);
        bytes += value.length;
        messages.push({ key, value, headers: { 'content-type': 'application/json' } });
      }
      await producer.send(topic, messages);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  await producer.disconnect();
  return { seconds: (performance.now() - started) / 1000, bytesPerEvent: Math.round(bytes / EVENTS) };
}
