// Inference (issue 5) over real gRPC, driven by ghz (an open-source gRPC load tool, not ours):
//  1. Predict p50/p99 at 2,000 requests/s with online features joined from a (fake, in-memory) feature
//     store, one random entity of 100,000 per request: target p99 <= 5 ms. Reference in the same run:
//     grpc.health.v1.Health/Check against the same server at the same rate. Beside it, the server's
//     own view: its request and stage histograms, scraped around each round, bound p50/p99 of the
//     time inside the server, of the feature join and of the model stage (queue + model call).
//  2. PredictBatch rows/s for the MLP (3 features -> 64 -> 32 -> 1), 1,000 explicit-feature rows per
//     call, closed loop: target >= 50,000 rows/s. The figure sends pre-encoded requests (`-B`); the
//     same requests as a JSON template (`-D`, which ghz renders and converts to protobuf per call,
//     ~10 ms of its CPU per 1,000-row call on the client core) are the reference, in the same rounds.
//  3. Predict throughput (explicit features, closed loop, 64 in flight) with micro-batching vs
//     without (INFERENCE_BATCHING=false): the ratio.
//  4. Hot swap under load: 1,000 Predict/s for 12 s while the alias moves from version 1 to 2
//     half-way through: zero failed requests, and the new version serving at the end.
// Run under `flock /tmp/kuroshio-bench.lock npm run bench inference` (2 shared cores: one benchmark
// at a time). Rounds alternate; medians quoted. Installs ghz into .tools/bin if missing. Inference
// runs on its own CPU, ghz and the fixture on the other(s), and online Predict requests are
// pre-encoded (bench/lib/ghz.mjs says why). Inference runs with the service's own node flags
// (services/inference/project.json serve, the chart's nodeOptions); BENCH_INFERENCE_NODE_ARGS replaces
// them, e.g. with `--cpu-prof --cpu-prof-dir=/tmp/inference-prof` (a profile per start, written at
// exit), or with "" for V8's defaults.
// BENCH_INFERENCE_ONLY=predict-online stops after part 1 (so such a profile holds online Predict only).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cpuLayout, ensureGhz, ghzRun as runGhz, writeDelimitedRequests } from './lib/ghz.mjs';

const RATE = 2_000;
const SECONDS = 15;
const ROUNDS = 3;
const TARGET_P99_MS = 5;
const NODE_FLAGS = ['--max-semi-space-size=8'];
const TARGET_BATCH_ROWS = 50_000;
const BATCH_ROWS = 1_000;
const HTTP_PORT = 17406;
const GRPC_PORT = 17416;

// ghz workers for the open-loop (--rps) runs: 50 workers on 4 connections and one Go thread made
// ghz's own scheduling the tail (a bare grpc-js Health/Check at p99 ~20 ms); 16 on one connection
// hold 2,000/s (see bench/feature-store-online.bench.mjs).
const OPEN_LOOP_CLIENTS = ['--concurrency', '16', '--connections', '1'];

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Cumulative bucket counts of one histogram series (`le` → count) from a /metrics text. */
function histogramBuckets(metrics, name, label) {
  const buckets = new Map();
  for (const [, labels, count] of metrics.matchAll(new RegExp(`^${name}_bucket\\{([^}]*)\\} ([0-9.e+]+)$`, 'gm'))) {
    if (!labels.includes(label)) continue;
    buckets.set(/le="([^"]+)"/.exec(labels)[1], Number(count));
  }
  return buckets;
}

/**
 * The server's own view of a round, from its histograms (scraped before and after): for the whole
 * request and for each stage, the bucket bound (ms) under which 50 % and 99 % of the round fell.
 */
function serverQuantiles(before, after) {
  const series = {
    request: ['kuroshio_inference_request_seconds', 'method="Predict"'],
    features: ['kuroshio_inference_stage_seconds', 'stage="features"'],
    model: ['kuroshio_inference_stage_seconds', 'stage="model"'],
  };
  return Object.fromEntries(
    Object.entries(series).map(([key, [name, label]]) => {
      const start = histogramBuckets(before, name, label);
      const deltas = [...histogramBuckets(after, name, label)].map(([le, count]) => [le, count - (start.get(le) ?? 0)]);
      const total = deltas.find(([le]) => le === '+Inf')?.[1] ?? 0;
      const bound = (q) => {
        const [le] = deltas.find(([, count]) => count >= q * total) ?? ['+Inf'];
        return le === '+Inf' ? Infinity : Number(le) * 1000;
      };
      return [key, { p50AtMostMs: bound(0.5), p99AtMostMs: bound(0.99) }];
    }),
  );
}

const quantilesText = (server) => Object.entries(server).map(([key, q]) => `${key} ≤${q.p50AtMostMs}/≤${q.p99AtMostMs}`).join(', ');

const layout = cpuLayout();
const ghzRun = (ctx, args, options = {}) => runGhz(ctx, args, { layout, ...options });

function spawnLines(ctx, args, env, name) {
  const [command, commandArgs] = layout.clientCommand(process.execPath, args);
  const child = spawn(command, commandArgs, { cwd: ctx.root, env: { ...process.env, ...ctx.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const lines = createInterface({ input: child.stdout });
  const queue = [];
  const waiters = [];
  lines.on('line', (line) => (waiters.length > 0 ? waiters.shift()(line) : queue.push(line)));
  const next = () =>
    new Promise((resolve, reject) => {
      if (queue.length > 0) return resolve(queue.shift());
      waiters.push(resolve);
      child.once('exit', (code) => reject(new Error(`${name} exited with ${code}: ${stderr}`)));
    });
  return { child, next, stderr: () => stderr };
}

async function startInference(ctx, fixture, batching) {
  const env = {
    HTTP_PORT: String(HTTP_PORT),
    GRPC_PORT: String(GRPC_PORT),
    LOG_LEVEL: 'warn',
    INFERENCE_MODEL_REGISTRY_ADDRESS: fixture.registryAddress,
    INFERENCE_FEATURE_STORE_ADDRESS: fixture.featureAddress,
    INFERENCE_PREDICTIONS_TOPIC: fixture.topics.predictions,
    INFERENCE_EXPOSURES_TOPIC: fixture.topics.exposures,
    INFERENCE_ALIAS_CHANGES_TOPIC: fixture.topics.aliases,
    INFERENCE_ALIAS_CHANGES_GROUP_PREFIX: `bench-inference-aliases-${Date.now()}`,
    // The sink lands predictions in ClickHouse; the benchmark measures serving (and keeps its rows out of the warehouse).
    INFERENCE_WAREHOUSE_SINK: 'false',
    INFERENCE_PRELOAD: `${fixture.model}@champion`,
    INFERENCE_BATCHING: String(batching),
    INFERENCE_MAX_BATCH_SIZE: '64',
    INFERENCE_MAX_QUEUE_DELAY_MS: '1',
    INFERENCE_MAX_BATCH_INSTANCES: String(BATCH_ROWS),
  };
  const nodeArgs = process.env.BENCH_INFERENCE_NODE_ARGS === undefined ? NODE_FLAGS : process.env.BENCH_INFERENCE_NODE_ARGS.split(/\s+/).filter((arg) => arg !== '');
  // BENCH_INFERENCE_MAIN: another build of the service (e.g. the previous commit's, for a before/after).
  const [command, args] = layout.serverCommand(process.execPath, [...nodeArgs, process.env.BENCH_INFERENCE_MAIN ?? 'services/inference/dist/main.js']);
  const child = spawn(command, args, { cwd: ctx.root, env: { ...process.env, ...ctx.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const stopChild = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  };
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`inference exited with ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) {
      await stopChild();
      throw new Error(`inference not ready: ${stderr}`);
    }
    const ready = await fetch(`http://127.0.0.1:${HTTP_PORT}/readyz`).then((r) => r.status === 200, () => false);
    const metrics = ready ? await (await fetch(`http://127.0.0.1:${HTTP_PORT}/metrics`)).text() : '';
    // Ready, and the preloaded model warmed (its warm-up counts as a formed batch / a prediction-free load).
    if (ready && /kuroshio_tfjs_backend_info/.test(metrics)) {
      try {
        await ghzRun(ctx, ['--total', '20', '--concurrency', '1', ...predictArgs(fixture, 'explicit')]);
        break;
      } catch {
        /* model still loading */
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return {
    child,
    backend: /kuroshio_tfjs_backend_info\{[^}]*backend="([a-z-]+)"/.exec(await (await fetch(`http://127.0.0.1:${HTTP_PORT}/metrics`)).text())?.[1],
    metrics: async () => (await fetch(`http://127.0.0.1:${HTTP_PORT}/metrics`)).text(),
    stop: stopChild,
  };
}

const PROTO = ['--proto', 'proto/kuroshio/inference/v1/inference_service.proto', '--import-paths', 'proto'];
const EXPLICIT = { 'billing:amount_sum_30d': { double_value: 12345 }, 'billing:late_count_90d': { int64_value: 1 }, 'app:logins_count_7d': { int64_value: 5 } };

function predictArgs(fixture, kind) {
  if (kind === 'online') return [...PROTO, '--call', 'kuroshio.inference.v1.InferenceService.Predict', '-B', onlineRequests(fixture), `127.0.0.1:${GRPC_PORT}`];
  const data = JSON.stringify({ model: { model_name: fixture.model, alias: 'champion' }, instance: { entity_id: 'cust-{{randomInt 0 1000}}', features: EXPLICIT } });
  return [...PROTO, '--call', 'kuroshio.inference.v1.InferenceService.Predict', '-d', data, `127.0.0.1:${GRPC_PORT}`];
}

let onlineRequestsFile;
/** 10,000 pre-encoded Predict requests, each for one random entity of the fixture's feature store. */
function onlineRequests(fixture) {
  if (onlineRequestsFile !== undefined) return onlineRequestsFile;
  let seed = 4242;
  const entity = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % fixture.entities;
  onlineRequestsFile = writeDelimitedRequests(
    fileURLToPath(new URL('..', import.meta.url)),
    join(tmpdir(), `inference-bench-predict-${process.pid}.bin`),
    'kuroshio/inference/v1/inference_service.proto',
    'kuroshio.inference.v1.PredictRequest',
    Array.from({ length: 10_000 }, () => ({ model: { model_name: fixture.model, alias: 'champion' }, instance: { entity_id: `cust-${entity()}` } })),
  );
  return onlineRequestsFile;
}

export default async function run(ctx) {
  await ensureGhz(ctx);
  await ctx.exec('flock', ['/tmp/kuroshio-build.lock', 'npx', 'tsc', '-b', 'services/inference'], { timeoutMs: 10 * 60_000 });
  // The fixture stands in for the feature store (and registry): it runs with the feature store's flags.
  const fixtureProcess = spawnLines(ctx, [...NODE_FLAGS, 'bench/inference/inference-bench-fixture.mjs'], { BENCH_RUN: String(Date.now()) }, 'fixture');
  const fixture = JSON.parse(await fixtureProcess.next());
  ctx.log(`fixture: model ${fixture.model}, ${fixture.entities} entities in the fake feature store`);
  const results = [];
  let inference;
  try {
    // 1 + 2 + 4 with micro-batching on.
    inference = await startInference(ctx, fixture, true);
    ctx.log(`inference up (backend ${inference.backend})`);
    // --total, not --duration: ghz cancels the calls in flight when a duration ends ("transport is closing").
    const load = ['--rps', String(RATE), ...OPEN_LOOP_CLIENTS, '--total', String(RATE * SECONDS)];
    const health = [...load, '--proto', 'node_modules/grpc-health-check/proto/health/v1/health.proto', '--call', 'grpc.health.v1.Health.Check', '-d', '{"service":""}', `127.0.0.1:${GRPC_PORT}`];
    await ghzRun(ctx, ['--rps', String(RATE), ...OPEN_LOOP_CLIENTS, '--total', String(RATE * 5), ...predictArgs(fixture, 'online')], { allowErrors: true }); // warm-up
    const rounds = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const before = await inference.metrics();
      const predict = await ghzRun(ctx, [...load, ...predictArgs(fixture, 'online')], { serverPid: inference.child.pid });
      const server = serverQuantiles(before, await inference.metrics());
      const reference = await ghzRun(ctx, health, { serverPid: inference.child.pid });
      ctx.log(`round ${round + 1}: Predict (online features) p50 ${predict.p50.toFixed(3)} ms p99 ${predict.p99.toFixed(3)} ms at ${predict.rps.toFixed(0)}/s, ${predict.serverCpuMicrosPerCall.toFixed(0)} µs CPU/call (inside the server, p50/p99 in ms: ${quantilesText(server)}); Health.Check p50 ${reference.p50.toFixed(3)} p99 ${reference.p99.toFixed(3)} ms, ${reference.serverCpuMicrosPerCall.toFixed(0)} µs CPU/call`);
      rounds.push({ predict, server, reference });
    }
    const metrics = await inference.metrics();
    const batchSum = Number(/kuroshio_inference_batch_rows_sum\{[^}]*\} ([0-9.e+]+)/.exec(metrics)?.[1] ?? NaN);
    const batchCount = Number(/kuroshio_inference_batch_rows_count\{[^}]*\} ([0-9.e+]+)/.exec(metrics)?.[1] ?? NaN);
    const p99 = median(rounds.map((r) => r.predict.p99));
    const p50 = median(rounds.map((r) => r.predict.p50));
    const cpuPerCall = median(rounds.map((r) => r.predict.serverCpuMicrosPerCall));
    results.push(
      { name: 'inference/predict-online-p99', unit: 'ms', value: p99, better: 'lower', reference: { name: 'grpc-health-check/p99', value: median(rounds.map((r) => r.reference.p99)) }, params: { rate: RATE, seconds: SECONDS, rounds: ROUNDS, entities: fixture.entities, targetP99Ms: TARGET_P99_MS, meetsTarget: p99 <= TARGET_P99_MS, serverCpuMicrosPerCall: cpuPerCall, loadAverage: loadavg()[0], backend: inference.backend, pinned: layout.pinned, serverCpus: layout.serverCpus, clientCpus: layout.clientCpus, meanBatchRows: batchSum / batchCount, rounds_detail: rounds } },
      { name: 'inference/predict-online-p50', unit: 'ms', value: p50, better: 'lower', reference: { name: 'grpc-health-check/p50', value: median(rounds.map((r) => r.reference.p50)) }, params: { rate: RATE } },
    );
    const featureSum = Number(/kuroshio_inference_feature_call_entities_sum(?:\{[^}]*\})? ([0-9.e+]+)/.exec(metrics)?.[1] ?? NaN);
    const featureCount = Number(/kuroshio_inference_feature_call_entities_count(?:\{[^}]*\})? ([0-9.e+]+)/.exec(metrics)?.[1] ?? NaN);
    ctx.log(`Predict (online features): median ${cpuPerCall.toFixed(0)} µs inference CPU/call, p50 ${p50.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms; ${(batchSum / batchCount).toFixed(1)} rows per model call, ${(featureSum / featureCount).toFixed(1)} entities per GetOnlineFeatures call; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    if (process.env.BENCH_INFERENCE_ONLY === 'predict-online') return results;

    const batchRequest = { model: { model_name: fixture.model, version: 1 }, instances: Array.from({ length: BATCH_ROWS }, (_, i) => ({ entity_id: `cust-${i}`, features: EXPLICIT })) };
    const batchFile = join(tmpdir(), `inference-bench-batch-${process.pid}.json`);
    writeFileSync(batchFile, JSON.stringify(batchRequest));
    const batchBinary = writeDelimitedRequests(ctx.root, join(tmpdir(), `inference-bench-batch-${process.pid}.bin`), 'kuroshio/inference/v1/inference_service.proto', 'kuroshio.inference.v1.PredictBatchRequest', [batchRequest]);
    const batchCall = (data) => [...PROTO, '--call', 'kuroshio.inference.v1.InferenceService.PredictBatch', ...data, `127.0.0.1:${GRPC_PORT}`];
    const batchArgs = (data) => ['--concurrency', '2', '--connections', '2', '--total', '400', ...batchCall(data)];
    await ghzRun(ctx, ['--concurrency', '2', '--connections', '2', '--total', '100', ...batchCall(['-B', batchBinary])]);
    const batchRounds = [];
    const jsonRounds = [];
    const loadBefore = loadavg()[0];
    for (let round = 0; round < ROUNDS; round += 1) {
      batchRounds.push(await ghzRun(ctx, batchArgs(['-B', batchBinary]), { serverPid: inference.child.pid }));
      jsonRounds.push(await ghzRun(ctx, batchArgs(['-D', batchFile]), { serverPid: inference.child.pid }));
    }
    const rowsPerSecond = median(batchRounds.map((r) => r.rps * BATCH_ROWS));
    const cpuPerRow = median(batchRounds.map((r) => r.serverCpuMicrosPerCall / BATCH_ROWS));
    const jsonRowsPerSecond = median(jsonRounds.map((r) => r.rps * BATCH_ROWS));
    const jsonCpuPerRow = median(jsonRounds.map((r) => r.serverCpuMicrosPerCall / BATCH_ROWS));
    const loadAverage = [loadBefore, loadavg()[0]].map((l) => l.toFixed(2)).join(' → ');
    ctx.log(`PredictBatch: ${rowsPerSecond.toFixed(0)} rows/s pre-encoded, ${jsonRowsPerSecond.toFixed(0)} rows/s as ghz JSON template (${BATCH_ROWS} rows per call); ${cpuPerRow.toFixed(1)} / ${jsonCpuPerRow.toFixed(1)} µs server CPU/row; load ${loadAverage}`);
    results.push({
      name: 'inference/predict-batch-rows-per-sec',
      unit: 'rows/s',
      value: rowsPerSecond,
      better: 'higher',
      reference: { name: 'inference/predict-batch-rows-per-sec-json-template', value: jsonRowsPerSecond },
      params: { rowsPerCall: BATCH_ROWS, model: 'mlp 3-64-32-1', requests: 'pre-encoded (-B)', targetRowsPerSecond: TARGET_BATCH_ROWS, meetsTarget: rowsPerSecond >= TARGET_BATCH_ROWS, serverCpuMicrosPerRow: cpuPerRow, jsonTemplateServerCpuMicrosPerRow: jsonCpuPerRow, pinned: layout.pinned, loadAverage, rounds_detail: batchRounds, json_rounds_detail: jsonRounds },
    });

    const closed = ['--concurrency', '64', '--connections', '4', '--total', '20000', ...predictArgs(fixture, 'explicit')];
    const batchedRounds = [];
    for (let round = 0; round < ROUNDS; round += 1) batchedRounds.push(await ghzRun(ctx, closed));

    // Hot swap under load: 1,000/s for 12 s, the alias moves after 6 s.
    const swapLoad = ghzRun(ctx, ['--rps', '1000', ...OPEN_LOOP_CLIENTS, '--total', '12000', ...predictArgs(fixture, 'online')], { allowErrors: true });
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    fixtureProcess.child.stdin.write('swap 2\n');
    await fixtureProcess.next();
    const swap = await swapLoad;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const swaps = Number(/kuroshio_inference_alias_swaps_total\{[^}]*\} ([0-9.e+]+)/.exec(await inference.metrics())?.[1] ?? 0);
    ctx.log(`hot swap under load: ${swap.count - swap.ok} failed of ${swap.count}; swaps ${swaps}`);
    if (swap.count !== swap.ok) throw new Error(`requests failed during the hot swap: ${JSON.stringify(swap.errors)}`);
    if (swaps < 1) throw new Error('the alias did not swap during the load');
    results.push({ name: 'inference/hot-swap-failed-requests', unit: 'requests', value: swap.count - swap.ok, better: 'lower', reference: null, params: { requests: swap.count, rate: 1000, seconds: 12, swaps, p99Ms: swap.p99 } });
    await inference.stop();

    // 3 without micro-batching.
    inference = await startInference(ctx, fixture, false);
    const unbatchedRounds = [];
    for (let round = 0; round < ROUNDS; round += 1) unbatchedRounds.push(await ghzRun(ctx, closed));
    await inference.stop();
    const withBatching = median(batchedRounds.map((r) => r.rps));
    const without = median(unbatchedRounds.map((r) => r.rps));
    ctx.log(`Predict closed loop (64 in flight): ${withBatching.toFixed(0)}/s with micro-batching, ${without.toFixed(0)}/s without`);
    results.push({ name: 'inference/predict-throughput-micro-batching', unit: 'requests/s', value: withBatching, better: 'higher', reference: { name: 'inference/predict-throughput-no-batching', value: without }, params: { concurrency: 64, requests: 20000, rounds: ROUNDS, maxBatchSize: 64, maxQueueDelayMs: 1, batched: batchedRounds, unbatched: unbatchedRounds } });
    return results;
  } finally {
    await inference?.stop();
    fixtureProcess.child.stdin.write('quit\n');
    await Promise.race([new Promise((resolve) => fixtureProcess.child.once('exit', resolve)), new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (fixtureProcess.child.exitCode === null) fixtureProcess.child.kill('SIGTERM');
  }
}
