// The collector through one process, as issue 3 asks: Segment batches (100 events of ~500 B) and
// single-event calls at 5,000 requests/s (then unthrottled, for the capacity), with p50/p99 latency
// and the process's peak RSS, next to
// Kafka's own producer (kafka-producer-perf-test, acks=all, idempotent) measured in the same run.
// Load comes from autocannon (not ours); the built collector runs as a child process with a
// throw-away source, writing to a copy of events.raw (COLLECTOR_RAW_TOPIC; benchmark traffic must not
// reach the ETL). Every acknowledged event must be on that topic afterwards (high-watermark delta),
// so a fast-but-lossy collector fails the benchmark instead of winning it.
import { randomBytes, createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { EVENT_BYTES_TARGET, batchTemplate, singleTemplate } from './collector/event-bodies.mjs';
import { startCollector } from './collector/collector-process.mjs';
import { BENCH_RAW_TOPIC, ensureBenchRawTopic, highWatermark } from './collector/raw-topic.mjs';
import { kafkaProducerPerf, RECORD_SIZE } from './lib/kafka-producer-perf.mjs';

const EVENTS_PER_BATCH = 100;
const BATCH = { connections: 16, warmupSeconds: 3, seconds: 15 };
const SINGLE = { connections: 50, warmupSeconds: 3, seconds: 12, rate: 5_000 };
const REFERENCE_RECORDS = 1_000_000;
// The collector's runtime flag (services/collector/README.md, "Running and performance"): V8's default
// young generation alone takes 128 MiB of RSS under load. Capping the old generation as well
// (--max-old-space-size) keeps RSS under 300 MiB but costs a third of the batched throughput.
const NODE_FLAGS = ['--max-semi-space-size=16'];
// Extra flags for a profiling run (e.g. COLLECTOR_BENCH_EXTRA_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof").
const EXTRA_NODE_FLAGS = (process.env.COLLECTOR_BENCH_EXTRA_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const TARGETS = { batchedEventsPerSec: 50_000, singleRequestsPerSec: 5_000, singleP99Ms: 50, rssMiB: 300 };

export default async function run(ctx) {
  const loadAtStart = Number(loadavg()[0].toFixed(2));
  await ctx.exec('npx', ['tsc', '-b', 'services/collector', 'libs/testing'], { timeoutMs: 5 * 60_000 });
  const main = join(ctx.root, 'services', 'collector', 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} missing after the build`);

  ctx.log(`reference: kafka-producer-perf-test, ${REFERENCE_RECORDS} records of ${RECORD_SIZE} B`);
  const { producerPerf, toolParams } = await kafkaProducerPerf(ctx);
  const reference = await producerPerf(REFERENCE_RECORDS, -1);
  const referenceFigure = { name: 'kafka-producer-perf-test/records-per-sec', value: reference.recordsPerSec };

  const workDir = await mkdtemp(join(tmpdir(), 'kuroshio-collector-bench-'));
  const writeKey = randomBytes(24).toString('base64url');
  const sourcesFile = join(workDir, 'sources.json');
  await writeFile(
    sourcesFile,
    JSON.stringify([{ tenant: 'bench', source: 'bench-app', channel: 'app', writeKeySha256: createHash('sha256').update(writeKey).digest('hex') }]),
  );
  const partitions = await ensureBenchRawTopic(ctx.env.KAFKA_BROKERS);
  const collector = await startCollector(ctx, { main, nodeFlags: [...NODE_FLAGS, ...EXTRA_NODE_FLAGS], sourcesFile, rawTopic: BENCH_RAW_TOPIC });
  const runId = `bench-${randomBytes(5).toString('hex')}`;
  const headers = { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` };
  try {
    const watermarkBefore = await highWatermark(ctx.env.KAFKA_BROKERS, BENCH_RAW_TOPIC);
    const smoke = await fetch(`${collector.url}/v1/batch`, { method: 'POST', headers, body: batchTemplate(`${runId}-smoke`, EVENTS_PER_BATCH).next() });
    const smokeReply = await smoke.json();
    if (smoke.status !== 200 || smokeReply.accepted !== EVENTS_PER_BATCH) {
      throw new Error(`smoke batch: ${smoke.status} ${JSON.stringify(smokeReply).slice(0, 500)}`);
    }
    let acknowledged = EVENTS_PER_BATCH;

    const batch = batchTemplate(`${runId}-b`, EVENTS_PER_BATCH);
    const drive = (options, seconds) => load({ url: `${collector.url}${options.path}`, headers, connections: options.connections, seconds, next: options.next, rate: options.rate });

    ctx.log(`batched: ${BATCH.connections} connections, ${BATCH.warmupSeconds} s warm-up, ${BATCH.seconds} s measured`);
    const batchedOptions = { path: '/v1/batch', connections: BATCH.connections, next: batch.next };
    acknowledged += (await drive(batchedOptions, BATCH.warmupSeconds)).ok * EVENTS_PER_BATCH;
    const batchedRss = collector.sampleRss();
    const batchedCpu = collector.measureCpu();
    const batched = await drive(batchedOptions, BATCH.seconds);
    const batchedCpuSeconds = batchedCpu.stop();
    const batchedPeakRss = batchedRss.stop();
    acknowledged += batched.ok * EVENTS_PER_BATCH;

    ctx.log(`single: ${SINGLE.connections} connections at ${SINGLE.rate} requests/s, ${SINGLE.warmupSeconds} s warm-up, ${SINGLE.seconds} s measured`);
    const single = singleTemplate(`${runId}-s`);
    const singleOptions = { path: '/v1/track', connections: SINGLE.connections, next: single.next, rate: SINGLE.rate };
    acknowledged += (await drive(singleOptions, SINGLE.warmupSeconds)).ok;
    const singleRss = collector.sampleRss();
    const singleCpu = collector.measureCpu();
    const singleRun = await drive(singleOptions, SINGLE.seconds);
    const singleCpuSeconds = singleCpu.stop();
    const singlePeakRss = singleRss.stop();
    acknowledged += singleRun.ok;

    // The same requests with no rate limit (closed loop, one request in flight per connection): how
    // many single-event requests/s the collector answers when it is the bottleneck, and the p99
    // then. The rate-limited run above cannot show more than the offered 5,000/s (autocannon's
    // pacing delivers slightly less).
    ctx.log(`single, unthrottled: ${SINGLE.connections} connections, ${SINGLE.seconds} s`);
    const capacityRss = collector.sampleRss();
    const capacityCpu = collector.measureCpu();
    const capacityRun = await drive({ ...singleOptions, rate: undefined }, SINGLE.seconds);
    const capacityCpuSeconds = capacityCpu.stop();
    const capacityPeakRss = capacityRss.stop();
    acknowledged += capacityRun.ok;

    // Nothing acknowledged may be missing from the topic (nothing else writes to it). It may hold
    // more: the requests still in flight when autocannon stopped each run (one per connection) were
    // answered after it stopped counting, and after 503s a timed-out send may still land.
    await sleep(500);
    const watermarkAfter = await highWatermark(ctx.env.KAFKA_BROKERS, BENCH_RAW_TOPIC);
    const onTopic = watermarkAfter - watermarkBefore;
    ctx.log(`acknowledged ${acknowledged} events; ${BENCH_RAW_TOPIC} grew by ${onTopic}`);
    const unansweredBound = 2 * (BATCH.connections * EVENTS_PER_BATCH + 2 * SINGLE.connections);
    const refused = batched.notOk + singleRun.notOk + capacityRun.notOk;
    if (onTopic < acknowledged || (refused === 0 && onTopic > acknowledged + unansweredBound)) {
      throw new Error(`${acknowledged} events acknowledged (+ at most ${unansweredBound} in flight at the end of a run), but ${onTopic} records reached ${BENCH_RAW_TOPIC}`);
    }
    const vmHwmMiB = collector.vmHwmMiB();

    const common = {
      cpus: cpus().length,
      load_avg_1m_at_start: loadAtStart,
      note: 'one collector process; autocannon, the Kafka broker and the collector share the machine',
      collector_node_flags: [...NODE_FLAGS, ...EXTRA_NODE_FLAGS],
      event_bytes: EVENT_BYTES_TARGET,
      events_acknowledged: acknowledged,
      topic: BENCH_RAW_TOPIC,
      topic_partitions: partitions,
      topic_high_watermark_delta: onTopic,
      records_answered_after_a_run_stopped: onTopic - acknowledged,
      collector_vm_hwm_mib: vmHwmMiB,
      reference: { ...toolParams, num_records: reference.records, records_per_sec: reference.recordsPerSec, mib_per_sec: reference.mibPerSec, latency_ms: { p50: reference.p50Ms, p99: reference.p99Ms } },
      targets: TARGETS,
    };
    const batchedParams = {
      ...common,
      route: 'POST /v1/batch',
      events_per_request: EVENTS_PER_BATCH,
      request_bytes: Buffer.byteLength(batch.sample),
      connections: BATCH.connections,
      warmup_seconds: BATCH.warmupSeconds,
      duration_seconds: BATCH.seconds,
      requests_ok: batched.ok,
      requests_not_ok: batched.notOk,
      errors: batched.errors,
      requests_per_sec: batched.requestsPerSec,
      latency_ms: batched.latency,
      peak_rss_mib_while_measured: batchedPeakRss,
      // CPU time of the collector process (user + system, /proc) over the measured run: robust on a shared machine.
      collector_cpu_seconds: batchedCpuSeconds,
      collector_cpu_us_per_event: (batchedCpuSeconds * 1e6) / Math.max(1, batched.ok * EVENTS_PER_BATCH),
    };
    const singleParams = {
      ...common,
      route: 'POST /v1/track',
      events_per_request: 1,
      request_bytes: Buffer.byteLength(single.sample),
      connections: SINGLE.connections,
      offered_rate_requests_per_sec: SINGLE.rate,
      warmup_seconds: SINGLE.warmupSeconds,
      duration_seconds: SINGLE.seconds,
      requests_ok: singleRun.ok,
      requests_not_ok: singleRun.notOk,
      errors: singleRun.errors,
      latency_ms: singleRun.latency,
      peak_rss_mib_while_measured: singlePeakRss,
      collector_cpu_seconds: singleCpuSeconds,
      collector_cpu_us_per_request: (singleCpuSeconds * 1e6) / Math.max(1, singleRun.ok),
    };
    const batchedEventsPerSec = (batched.ok * EVENTS_PER_BATCH) / batched.seconds;
    const capacityParams = {
      ...common,
      route: 'POST /v1/track',
      connections: SINGLE.connections,
      offered_rate_requests_per_sec: null,
      duration_seconds: SINGLE.seconds,
      requests_ok: capacityRun.ok,
      requests_not_ok: capacityRun.notOk,
      errors: capacityRun.errors,
      latency_ms: capacityRun.latency,
      peak_rss_mib_while_measured: capacityPeakRss,
      collector_cpu_seconds: capacityCpuSeconds,
      collector_cpu_us_per_request: (capacityCpuSeconds * 1e6) / Math.max(1, capacityRun.ok),
    };
    // Under the issue's loads (batched, and single-event at 5,000/s); the unthrottled run's peak is
    // its own figure.
    const peakRss = Math.max(batchedPeakRss, singlePeakRss);
    return [
      { name: 'collector/batched-events-per-sec', unit: 'events/s', value: batchedEventsPerSec, better: 'higher', reference: referenceFigure, params: batchedParams },
      { name: 'collector/batched-latency-p50', unit: 'ms', value: batched.latency.p50, better: 'lower', reference: null, params: batchedParams },
      { name: 'collector/batched-latency-p99', unit: 'ms', value: batched.latency.p99, better: 'lower', reference: null, params: batchedParams },
      { name: 'collector/single-requests-per-sec', unit: 'requests/s', value: singleRun.ok / singleRun.seconds, better: 'higher', reference: referenceFigure, params: singleParams },
      { name: 'collector/single-latency-p50', unit: 'ms', value: singleRun.latency.p50, better: 'lower', reference: null, params: singleParams },
      { name: 'collector/single-latency-p99', unit: 'ms', value: singleRun.latency.p99, better: 'lower', reference: null, params: singleParams },
      { name: 'collector/single-capacity-requests-per-sec', unit: 'requests/s', value: capacityRun.ok / capacityRun.seconds, better: 'higher', reference: referenceFigure, params: capacityParams },
      { name: 'collector/single-capacity-latency-p99', unit: 'ms', value: capacityRun.latency.p99, better: 'lower', reference: null, params: capacityParams },
      { name: 'collector/batched-cpu-us-per-event', unit: 'µs', value: batchedParams.collector_cpu_us_per_event, better: 'lower', reference: null, params: batchedParams },
      { name: 'collector/peak-rss-under-load', unit: 'MiB', value: peakRss, better: 'lower', reference: null, params: { ...common, batched_peak_rss_mib: batchedPeakRss, single_peak_rss_mib: singlePeakRss } },
      { name: 'collector/peak-rss-unthrottled', unit: 'MiB', value: capacityPeakRss, better: 'lower', reference: null, params: capacityParams },
    ];
  } finally {
    await collector.stop();
    const log = await readFile(collector.logFile, 'utf8').catch(() => '');
    const problems = log.split('\n').filter((line) => /"level":"(warn|error|fatal)"/.test(line) && !/kafkajs/.test(line));
    if (problems.length) ctx.log(`collector warnings:\n${problems.slice(0, 5).join('\n')}`);
    await rm(workDir, { recursive: true, force: true });
  }
}

/** One autocannon run; every request gets a body with fresh messageIds. */
async function load({ url, headers, connections, seconds, next, rate }) {
  const result = await autocannon({
    url,
    method: 'POST',
    headers,
    connections,
    duration: seconds,
    ...(rate === undefined ? {} : { overallRate: rate }),
    requests: [{ setupRequest: (request) => ({ ...request, body: next() }) }],
  });
  const ok = result['2xx'];
  return {
    ok,
    notOk: result.non2xx,
    errors: result.errors + result.timeouts,
    seconds: result.duration,
    requestsPerSec: ok / result.duration,
    latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
  };
}
