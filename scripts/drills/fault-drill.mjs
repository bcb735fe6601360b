#!/usr/bin/env node
// Fault drill (issue 3, docs/decisions/0012-fault-drills.md): run through `scripts/drill`.
// Starts the collector and the ETL on the local stack, drives a steady /v1/batch load, kills and
// restarts collector, ETL and the Kafka broker, waits for the ETL to catch up, then proves from
// events.raw, ClickHouse and the lake that every acknowledged event landed exactly once.
import { execFile } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ClickHouseClient, ident, sql } from '@kuroshio/clickhouse';
import { clickhouseConfig, composeConfig, kafkaConfig, loadConfig, s3Config } from '@kuroshio/config';
import { TOPICS } from '@kuroshio/contracts';
import { ObjectStore } from '@kuroshio/object-store';
import { createLogger } from '@kuroshio/telemetry';
import { USAGE, parseDrillOptions } from './drill-options.mjs';
import { DrillService, portInUse, restartKafka, stackKafkaPid, stackUp, waitUntil } from './drill-processes.mjs';
import { DrillTopics, runMessageId } from './drill-topics.mjs';
import { countInto, lakeFindings, mapLimit, warehouseFindings } from './drill-findings.mjs';
import { SteadyLoad } from './steady-load.mjs';
import { formatReport, judge } from './drill-verdict.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RAW = TOPICS.eventsRaw.name;
const began = Date.now();
const say = (text) => console.log(`drill [${((Date.now() - began) / 1000).toFixed(0).padStart(3)} s] ${text}`);
const seconds = (ms) => (ms / 1000).toFixed(1);

let options;
try {
  options = parseDrillOptions(process.argv.slice(2));
} catch (error) {
  console.error(`drill: ${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}

const endpoints = loadConfig(composeConfig({ kafka: kafkaConfig({ clientId: 'kuroshio-drill' }), clickhouse: clickhouseConfig(), s3: s3Config() }), process.env);
const logger = createLogger({ service: 'drill', level: 'warn' });
const stamp = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const runId = `drill-${stamp}`;
const run = {
  tenant: runId,
  database: `drill_${stamp}`,
  lakePrefix: `${runId}/`,
  groupId: `kuroshio-drill-etl-${stamp}`,
  writeKey: randomBytes(24).toString('base64url'),
  logDir: join(root, '.stack', 'drill', runId),
};
// Silent: its probes run on through the broker restart, where kafkajs' connection errors are expected.
const topics = new DrillTopics(endpoints.kafka, createLogger({ service: 'drill', level: 'silent' }));
// OPTIMIZE … FINAL and DROP DATABASE of a --full run outlast the client's default 30 s.
const clickhouse = new ClickHouseClient({ ...endpoints.clickhouse, database: run.database, logger, requestTimeoutMs: 300_000 });
const store = new ObjectStore(endpoints.s3);
const bucket = endpoints.s3.buckets.lake;
let collector;
let etl;

async function prepare() {
  for (const [name, port] of Object.entries(options.ports)) {
    if (await portInUse(port)) throw new Error(`port ${port} (${name}) is in use; stop what holds it or set DRILL_*_PORT`);
  }
  say('scripts/stack up');
  await stackUp(root);
  if (options.faults.includes('kafka') && stackKafkaPid(root) === undefined) {
    throw new Error('the kafka fault needs the broker scripts/stack runs from this checkout (KAFKA_BROKERS must not name another one)');
  }
  mkdirSync(run.logDir, { recursive: true });
  await promisify(execFile)(process.execPath, ['libs/clickhouse/dist/cli/migrate.js'], { cwd: root, env: { ...process.env, CLICKHOUSE_DATABASE: run.database } });
  // The collector writes the shared contract topic: the run's ETL group starts at its current end.
  const start = await topics.end(RAW);
  await topics.position(run.groupId, RAW, start);
  const sources = [{ tenant: run.tenant, source: `${run.tenant}-web`, channel: 'web', writeKeySha256: createHash('sha256').update(run.writeKey).digest('hex') }];
  collector = new DrillService({
    root,
    name: 'collector',
    port: options.ports.collectorHttp,
    logFile: join(run.logDir, 'collector.log'),
    env: { HTTP_PORT: String(options.ports.collectorHttp), GRPC_PORT: String(options.ports.collectorGrpc), COLLECTOR_SOURCES: JSON.stringify(sources), COLLECTOR_INSTANCE: runId },
  });
  etl = new DrillService({
    root,
    name: 'etl',
    port: options.ports.etlHttp,
    logFile: join(run.logDir, 'etl.log'),
    env: {
      HTTP_PORT: String(options.ports.etlHttp),
      CLICKHOUSE_DATABASE: run.database,
      ETL_CONSUMER_GROUP: run.groupId,
      ETL_LAKE_PREFIX: run.lakePrefix,
      // One key for the whole run: a restarted ETL must tokenise as the killed one did.
      ETL_PII_KEY: randomBytes(32).toString('base64'),
      ETL_SINK_RETRY_DELAY_MS: '500',
    },
  });
  say(`starting collector :${options.ports.collectorHttp} and ETL :${options.ports.etlHttp} (logs ${run.logDir})`);
  await Promise.all([collector.start(), etl.start()]);
  return start;
}

const RECOVERY_TIMEOUT_MS = 90_000;

async function committedTotal() {
  let total = 0n;
  for (const offset of (await topics.committed(run.groupId, RAW)).values()) if (BigInt(offset) > 0n) total += BigInt(offset);
  return total;
}

/**
 * Recovery as a client would see it, not as /readyz says it: the collector answering 200 again and
 * the ETL committing new offsets again. Returns seconds since `since`, or a note when it did not
 * happen within the bound (the verdict then shows what was lost).
 */
async function recovered(what, probe, since) {
  if (!options.settle) return `${what}: not waited for (--no-settle)`;
  try {
    await waitUntil(probe, { timeoutMs: RECOVERY_TIMEOUT_MS, intervalMs: 250, what });
    return `${what} after ${seconds(Date.now() - since)} s`;
  } catch {
    return `NO ${what} within ${RECOVERY_TIMEOUT_MS / 1000} s`;
  }
}

function collectorAcknowledges(load, since) {
  return () => load.timeline.some((entry) => entry.outcome === '200' && load.startedAt + entry.atMs >= since);
}

async function etlCommits() {
  const before = await committedTotal();
  return async () => (await committedTotal()) > before;
}

// Each fault waits for the previous one to be over (clients acknowledged again, the ETL committing
// again), so the report can say what each one cost.
async function injectFaults(load) {
  const durationMs = options.durationS * 1000;
  const faults = [];
  for (const [index, name] of options.faults.entries()) {
    const atMs = Math.round((durationMs * (index + 1)) / (options.faults.length + 1));
    const wait = load.startedAt + atMs - Date.now();
    if (wait > 0) await sleep(wait);
    const began = Date.now();
    const fault = { name, atMs: began - load.startedAt };
    say(`${seconds(fault.atMs)} s into the load: ${name === 'kafka' ? 'restarting the Kafka broker' : `kill -9 ${name}`}`);
    if (name === 'kafka') {
      const committing = await etlCommits();
      const { downMs, awayMs } = await restartKafka(root);
      const notes = [await recovered('collector acknowledging', collectorAcknowledges(load, began + awayMs), began), await recovered('ETL committing', committing, began)];
      fault.detail = `SIGTERM to the broker: down after ${seconds(downMs)} s, healthy again (scripts/stack up) after ${seconds(awayMs)} s; ${notes.join('; ')}`;
    } else {
      const service = name === 'collector' ? collector : etl;
      await service.kill9();
      // Read the group's offsets only once the process is gone: a batch it committed between this
      // read and the kill would otherwise count as the restarted process committing (a pause of a
      // second or two reported for what is a session timeout's wait).
      const committing = name === 'etl' ? await etlCommits() : undefined;
      await sleep(1_000);
      await service.start();
      const ready = `restarted after 1 s, /readyz 200 after ${seconds(Date.now() - began)} s`;
      const note = name === 'collector' ? await recovered('acknowledging', collectorAcknowledges(load, Date.now()), began) : await recovered('committing', committing, began);
      fault.detail = `kill -9, ${ready}, ${note}`;
    }
    fault.recoveredAtMs = Date.now() - load.startedAt;
    say(`${name}: ${fault.detail}`);
    faults.push(fault);
  }
  // Some load after the last recovery, so the drill also shows the platform taking traffic again.
  const tailMs = Math.max(durationMs - (Date.now() - load.startedAt), 5_000);
  await sleep(tailMs);
  return faults;
}

async function main() {
  const start = await prepare();
  const load = new SteadyLoad({
    url: `http://127.0.0.1:${options.ports.collectorHttp}`,
    writeKey: run.writeKey,
    tenantTag: run.tenant,
    rate: options.rate,
    concurrency: options.concurrency,
    batch: options.batch,
  });
  say(`load: ${options.rate} events/s, ${options.concurrency} clients, ${options.batch} events per request, ${options.durationS} s; faults: ${options.faults.join(', ')}`);
  load.start();
  let faults;
  try {
    faults = await injectFaults(load);
  } finally {
    await load.stop();
  }
  // Drain the collector, so no timed-out send can still land after the end offsets are taken.
  await collector.stop();
  const end = await topics.end(RAW);
  const loadS = seconds(load.stoppedAt - load.startedAt);
  say(`load stopped after ${loadS} s: ${load.sent} sent, ${load.acknowledged.size} acknowledged; waiting for the ETL to catch up`);

  const catchUpStarted = Date.now();
  const caughtUp = await waitUntil(
    async () => {
      if (etl.child.exitCode !== null || etl.child.signalCode !== null) throw new Error(`the ETL exited; see ${etl.logFile}`);
      return (await topics.lag(run.groupId, RAW, end)) === 0;
    },
    { timeoutMs: options.catchUpS * 1000, intervalMs: 1_000, what: 'the ETL group to commit the end of the run' },
  ).then(
    () => undefined,
    (error) => error.message,
  );
  const catchUpS = seconds(Date.now() - catchUpStarted);
  const lagLeft = caughtUp === undefined ? 0 : await topics.lag(run.groupId, RAW, end).catch(() => -1);

  say('reading the run\'s range of events.raw back');
  const topicCounts = new Map();
  await topics.readRange(RAW, start, end, (_partition, _offset, value) => {
    const id = runMessageId(value, run.tenant);
    if (id !== undefined) countInto(topicCounts, id);
  });
  await etl.stop();
  say('counting in ClickHouse (FINAL, then OPTIMIZE TABLE events FINAL)');
  const warehouse = await warehouseFindings(clickhouse, run.tenant);
  say('scanning the lake: raw/ NDJSON and clean/ Parquet (pyarrow)');
  const lake = await lakeFindings({ store, bucket, prefix: run.lakePrefix, tenant: run.tenant, python: join(root, '.tools/venv/bin/python') });
  const verdict = judge({ load, topic: { counts: topicCounts }, warehouse, lake });
  if (caughtUp !== undefined) verdict.violations.unshift(`the ETL did not catch up within ${options.catchUpS} s (lag ${lagLeft}): ${caughtUp}`);
  const lastRecovery = Math.max(0, ...faults.map((fault) => fault.recoveredAtMs));
  const acksAfterRecovery = load.timeline.filter((entry) => entry.atMs >= lastRecovery && entry.outcome === '200').length;
  if (acksAfterRecovery === 0) verdict.violations.push('the collector acknowledged nothing after the last fault had recovered');
  verdict.pass = verdict.violations.length === 0;

  console.log(`\n${formatReport({ options, runId, faults, load, warehouse, verdict, lake, timings: { loadS, catchUpS } })}\n`);
  if (options.json) {
    const places = Object.fromEntries(Object.entries(verdict.places).map(([place, found]) => [place, { ...found }]));
    writeFileSync(
      options.json,
      `${JSON.stringify(
        {
          runId,
          pass: verdict.pass,
          violations: verdict.violations,
          options,
          faults,
          load: { sent: load.sent, requests: load.requests, acknowledged: load.acknowledged.size, rejected: load.rejected.size, unacknowledged: load.unacknowledged.size, retried: load.retried.size, outcomes: Object.fromEntries(load.outcomes), acksAfterRecovery },
          places,
          checksum: verdict.ackedChecksum,
          clickhouse: { final: warehouse.final, beforeOptimize: warehouse.beforeOptimize, afterOptimize: warehouse.afterOptimize, finalAfterOptimize: warehouse.finalAfterOptimize },
          lake: { rawObjects: lake.rawObjects, cleanObjects: lake.cleanObjects },
          timings: { loadS: Number(loadS), catchUpS: Number(catchUpS) },
        },
        null,
        2,
      )}\n`,
    );
  }
  return verdict.pass ? 0 : 1;
}

async function cleanUp() {
  await Promise.all([collector?.stop(5_000), etl?.stop(5_000)].map((stopping) => stopping?.catch(() => undefined)));
  if (!options.keep) {
    await new ClickHouseClient({ ...endpoints.clickhouse, database: 'default', logger, requestTimeoutMs: 300_000 })
      .command(sql`DROP DATABASE IF EXISTS ${ident(run.database)}`)
      .catch((error) => console.error(`drill: could not drop ${run.database}: ${error.message}`));
    try {
      const keys = [];
      for await (const object of store.list(bucket, run.lakePrefix)) keys.push(object.key);
      await mapLimit(keys, 16, (key) => store.remove(bucket, key));
    } catch (error) {
      console.error(`drill: could not remove s3://${bucket}/${run.lakePrefix}: ${error.message}`);
    }
    await topics.deleteGroups([run.groupId]);
    say('removed the run\'s database, lake prefix and consumer group');
  } else {
    say(`kept ClickHouse database ${run.database}, s3://${bucket}/${run.lakePrefix}, consumer group ${run.groupId}`);
  }
  await clickhouse.close().catch(() => undefined);
  await topics.disconnect().catch(() => undefined);
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`drill: ${signal}; stopping the services`);
    cleanUp().finally(() => process.exit(130));
  });
}

let code;
try {
  code = await main();
} catch (error) {
  console.error(`drill: could not complete: ${error.stack ?? error.message}`);
  code = 2;
}
if (!interrupted) {
  await cleanUp();
  process.exit(code);
}
