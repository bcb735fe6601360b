// The feature store's online state (issue 4): 1,000,000 entities x 20 features (4 views, every
// aggregation, 12 events per entity in the last week) loaded in-process, what that state costs in
// memory, then FeatureService.GetOnlineFeatures over real gRPC at 2,000 requests/s, one random
// entity x 20 features per request (10,000 pre-encoded requests over random entities, round-robin),
// p50/p99 from ghz (open-loop --rps schedule), server and ghz on separate CPUs when possible
// (bench/lib/ghz.mjs). References in the same run, rounds alternating, medians quoted:
// - for p50 and server CPU, the same load against grpc.health.v1.Health/Check of the same server:
//   what the lookup adds over gRPC + NestJS themselves;
// - for p99, the load tool's floor: a grpc-go server (canned-server/) that answers
//   every call with the bytes of a real 20-value response and does nothing else, under the same
//   ghz load on the same CPU. ghz decodes each response into dynamic messages, which costs it more
//   CPU than the server spends; the floor shows what of the p99 is the measurement itself.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import grpc from '@grpc/grpc-js';
import { freePort } from '@kuroshio/testing';
import protobuf from 'protobufjs';
import { cpuLayout, ensureGhz, ghzRun, writeDelimitedRequests } from './lib/ghz.mjs';

const ENTITIES = 1_000_000;
const RATE = 2_000;
const SECONDS = 15;
const ROUNDS = 3;
// ghz workers on one connection: with 50 workers on 4 connections and one Go thread, ghz's own
// scheduling put a bare grpc-js Health/Check's p99 at ~20 ms; 8 workers hold 2,000/s at ~4 ms.
const CONCURRENCY = 8;
const CONNECTIONS = 1;
const TARGET_P99_MS = 2;
// Node flags for the server: by default the feature store's own (services/feature-store/project.json
// serve, the chart's nodeOptions; docs/decisions/0015); FS_ONLINE_BENCH_NODE_FLAGS="" measures V8's defaults.
const NODE_FLAGS = (process.env.FS_ONLINE_BENCH_NODE_FLAGS ?? '--max-semi-space-size=8').split(' ').filter(Boolean);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function startServer(ctx, layout) {
  const [command, args] = layout.serverCommand(process.execPath, [...NODE_FLAGS, '--expose-gc', join(ctx.root, 'bench', 'feature-store-online', 'online-server.mjs')]);
  const child = spawn(command, args, {
    cwd: ctx.root,
    env: { ...process.env, ...ctx.env, BENCH_ENTITIES: String(ENTITIES) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve({ child, ...JSON.parse(line) }));
    child.once('exit', (code) => reject(new Error(`online server exited with ${code}: ${stderr.slice(-2000)}`)));
  });
}

/** The first message of a length-delimited file (ghz's -B format). */
function firstDelimitedMessage(file) {
  return protobuf.Reader.create(readFileSync(file)).bytes();
}

/** One unary call with raw bytes both ways: the response exactly as the server encoded it. */
function rawUnaryCall(address, path, request) {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const same = (bytes) => bytes;
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(path, same, same, request, (error, response) => {
      client.close();
      if (error) reject(error);
      else resolve(response);
    });
  });
}

/** Builds and starts the canned-response server (see the header) on the server's CPU. */
async function startCannedServer(ctx, layout, responseFile) {
  const bin = join(ctx.root, '.tools', 'bin', 'canned-server');
  // GOTOOLCHAIN=local: build with the installed Go; never fetch a toolchain from outside the proxy.
  await ctx.exec('go', ['build', '-C', join(ctx.root, 'bench', 'feature-store-online', 'canned-server'), '-o', bin, '.'], { env: { GOTOOLCHAIN: 'local' }, timeoutMs: 10 * 60_000 });
  const port = await freePort();
  const [command, args] = layout.serverCommand(bin, [String(port)]);
  const child = spawn(command, args, { env: { ...process.env, CANNED_RESPONSE: responseFile }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`canned server exited with ${code}: ${stderr.slice(-2000)}`)));
  });
  return { child, address: `127.0.0.1:${port}` };
}

async function ghz(ctx, args, pid, layout) {
  return { ...(await ghzRun(ctx, args, { serverPid: pid, layout })), loadavg: loadavg()[0] };
}

export default async function run(ctx) {
  await ensureGhz(ctx);
  const layout = cpuLayout();
  await ctx.exec('flock', ['/tmp/kuroshio-build.lock', 'npx', 'tsc', '-b', 'services/feature-store', 'libs/testing'], { timeoutMs: 5 * 60_000 });
  ctx.log(`loading ${ENTITIES} entities into the online state`);
  const server = await startServer(ctx, layout);
  let canned;
  try {
    const { memory, grpcAddress, views } = server;
    ctx.log(`state: ${(memory.bytesPerEntity).toFixed(0)} B/entity, filled in ${memory.fillSeconds.toFixed(1)} s; serving on ${grpcAddress}`);
    const features = views.flatMap((view) => view.features.map((feature) => ({ feature_view: view.name, feature, version: 1 })));
    let seed = 97;
    const randomEntity = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % ENTITIES;
    const requests = writeDelimitedRequests(
      ctx.root,
      join(tmpdir(), `feature-store-online-bench-${process.pid}.bin`),
      'kuroshio/features/v1/feature_service.proto',
      'kuroshio.features.v1.GetOnlineFeaturesRequest',
      Array.from({ length: 10_000 }, () => ({ features, entity_ids: [`bench-${randomEntity()}`] })),
    );
    // The same lookups for one feature: a small response, to show what the 20 values cost the client.
    const singleRequests = writeDelimitedRequests(
      ctx.root,
      join(tmpdir(), `feature-store-online-bench-1-${process.pid}.bin`),
      'kuroshio/features/v1/feature_service.proto',
      'kuroshio.features.v1.GetOnlineFeaturesRequest',
      Array.from({ length: 10_000 }, () => ({ features: features.slice(0, 1), entity_ids: [`bench-${randomEntity()}`] })),
    );
    const load = (seconds) => ['--rps', String(RATE), '--concurrency', String(CONCURRENCY), '--connections', String(CONNECTIONS), '--duration-stop', 'wait', '--duration', `${seconds}s`];
    const lookupOf = (file, address = grpcAddress) => ['--proto', 'proto/kuroshio/features/v1/feature_service.proto', '--import-paths', 'proto', '--call', 'kuroshio.features.v1.FeatureService.GetOnlineFeatures', '-B', file, address];
    const lookupCall = lookupOf(requests);
    const responseFile = join(tmpdir(), `feature-store-online-bench-response-${process.pid}.bin`);
    writeFileSync(responseFile, await rawUnaryCall(grpcAddress, '/kuroshio.features.v1.FeatureService/GetOnlineFeatures', firstDelimitedMessage(requests)));
    canned = await startCannedServer(ctx, layout, responseFile);
    const floorCall = lookupOf(requests, canned.address);
    const health = [...load(SECONDS), '--proto', 'node_modules/grpc-health-check/proto/health/v1/health.proto', '--call', 'grpc.health.v1.Health.Check', '-d', '{"service":""}', grpcAddress];
    ctx.log(`server on CPU ${layout.serverCpus}, ghz on CPU ${layout.clientCpus}`);
    await ghz(ctx, [...load(5), ...lookupCall], server.child.pid, layout); // warm-up (JIT, connections)
    const rounds = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const features20 = await ghz(ctx, [...load(SECONDS), ...lookupCall], server.child.pid, layout);
      const reference = await ghz(ctx, health, server.child.pid, layout);
      const features1 = await ghz(ctx, [...load(SECONDS), ...lookupOf(singleRequests)], server.child.pid, layout);
      const floor = await ghz(ctx, [...load(SECONDS), ...floorCall], canned.child.pid, layout);
      ctx.log(`round ${round + 1}: GetOnlineFeatures p50 ${features20.p50.toFixed(3)} ms p99 ${features20.p99.toFixed(3)} ms at ${features20.rps.toFixed(0)}/s, ${features20.serverCpuMicrosPerCall.toFixed(0)} µs CPU/call; Health.Check p50 ${reference.p50.toFixed(3)} p99 ${reference.p99.toFixed(3)} ms, ${reference.serverCpuMicrosPerCall.toFixed(0)} µs CPU/call; 1 feature p50 ${features1.p50.toFixed(3)} p99 ${features1.p99.toFixed(3)} ms; canned-response floor p50 ${floor.p50.toFixed(3)} p99 ${floor.p99.toFixed(3)} ms; load ${features20.loadavg.toFixed(1)}`);
      rounds.push({ features20, reference, features1, floor });
    }
    const p50 = median(rounds.map((r) => r.features20.p50));
    const p99 = median(rounds.map((r) => r.features20.p99));
    const refP50 = median(rounds.map((r) => r.reference.p50));
    const refP99 = median(rounds.map((r) => r.reference.p99));
    const floorP99 = median(rounds.map((r) => r.floor.p99));
    const cpu = median(rounds.map((r) => r.features20.serverCpuMicrosPerCall));
    const refCpu = median(rounds.map((r) => r.reference.serverCpuMicrosPerCall));
    const params = { entities: memory.entities, featuresPerRequest: features.length, entitiesPerRequest: 1, eventsPerEntity: memory.eventsPerEntity, rate: RATE, seconds: SECONDS, rounds: ROUNDS, concurrency: CONCURRENCY, connections: CONNECTIONS, targetP99Ms: TARGET_P99_MS, nodeFlags: NODE_FLAGS, pinned: layout.pinned, serverCpus: layout.serverCpus, clientCpus: layout.clientCpus, rounds_detail: rounds };
    return [
      { name: 'feature-store-online/state-bytes-per-entity', unit: 'B', value: memory.bytesPerEntity, better: 'lower', reference: null, params: { ...memory } },
      { name: 'feature-store-online/get-online-features-p99', unit: 'ms', value: p99, better: 'lower', reference: { name: 'ghz-canned-response-floor/p99', value: floorP99 }, params: { ...params, healthCheckP99: refP99 } },
      { name: 'feature-store-online/server-cpu-per-call', unit: 'µs', value: cpu, better: 'lower', reference: { name: 'grpc-health-check/server-cpu-per-call', value: refCpu }, params: { rate: RATE, featuresPerRequest: features.length } },
      { name: 'feature-store-online/domain-read', unit: 'µs', value: memory.readMicrosPerRequest, better: 'lower', reference: null, params: { featuresPerRequest: features.length, entitiesPerRequest: 1, inProcess: true } },
      { name: 'feature-store-online/get-online-features-p50', unit: 'ms', value: p50, better: 'lower', reference: { name: 'grpc-health-check/p50', value: refP50 }, params: { rate: RATE, featuresPerRequest: features.length } },
      {
        name: 'feature-store-online/get-online-features-1-p99',
        unit: 'ms',
        value: median(rounds.map((r) => r.features1.p99)),
        better: 'lower',
        reference: { name: 'grpc-health-check/p99', value: refP99 },
        params: { rate: RATE, featuresPerRequest: 1, p50: median(rounds.map((r) => r.features1.p50)) },
      },
    ];
  } finally {
    server.child.kill('SIGTERM');
    canned?.child.kill('SIGTERM');
  }
}
