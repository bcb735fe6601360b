// The feature store's online state (issue 4): 1,000,000 entities x 20 features (4 views, every
// aggregation, 12 events per entity in the last week) loaded in-process, what that state costs in
// memory, then FeatureService.GetOnlineFeatures over real gRPC at 2,000 requests/s, one random
// entity x 20 features per request, p50/p99 from ghz (open-loop --rps schedule). Reference in the same
// run and process: the same load against grpc.health.v1.Health/Check of the same server, so the
// ratio shows what the lookup adds over gRPC + NestJS themselves. Rounds alternate; medians quoted.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ENTITIES = 1_000_000;
const RATE = 2_000;
const SECONDS = 15;
const ROUNDS = 3;
const CONCURRENCY = 50;
const TARGET_P99_MS = 2;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function startServer(ctx) {
  const child = spawn(process.execPath, ['--expose-gc', join(ctx.root, 'bench', 'feature-store-online', 'online-server.mjs')], {
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

/** CPU milliseconds (user + system) the server process has used so far (Linux /proc, 100 ticks/s). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function ghz(ctx, args, pid) {
  const cpuBefore = cpuMs(pid);
  const { stdout } = await ctx.exec(join(ctx.root, '.tools', 'bin', 'ghz'), ['--insecure', '-O', 'json', ...args], { timeoutMs: 5 * 60_000 });
  const report = JSON.parse(stdout);
  const at = (p) => report.latencyDistribution.find((entry) => entry.percentage === p).latency / 1e6;
  const ok = report.statusCodeDistribution?.OK ?? 0;
  if (ok !== report.count) throw new Error(`ghz: ${report.count - ok} of ${report.count} calls failed: ${JSON.stringify(report.errorDistribution)}`);
  return { p50: at(50), p99: at(99), rps: report.rps, count: report.count, serverCpuMicrosPerCall: ((cpuMs(pid) - cpuBefore) * 1000) / report.count, loadavg: loadavg()[0] };
}

export default async function run(ctx) {
  const ghzBin = join(ctx.root, '.tools', 'bin', 'ghz');
  if (!existsSync(ghzBin)) throw new Error('ghz missing: GOBIN=$PWD/.tools/bin go install github.com/bojand/ghz/cmd/ghz@latest');
  await ctx.exec('flock', ['/tmp/kuroshio-build.lock', 'npx', 'tsc', '-b', 'services/feature-store'], { timeoutMs: 5 * 60_000 });
  ctx.log(`loading ${ENTITIES} entities into the online state`);
  const server = await startServer(ctx);
  try {
    const { memory, grpcAddress, views } = server;
    ctx.log(`state: ${(memory.bytesPerEntity).toFixed(0)} B/entity, filled in ${memory.fillSeconds.toFixed(1)} s; serving on ${grpcAddress}`);
    const features = views.flatMap((view) => view.features.map((feature) => ({ feature_view: view.name, feature, version: 1 })));
    const featureData = JSON.stringify({ features, entity_ids: [`bench-{{randomInt 0 ${ENTITIES - 1}}}`] });
    const load = ['--rps', String(RATE), '--concurrency', String(CONCURRENCY), '--connections', '4', '--duration-stop', 'wait', '--duration', `${SECONDS}s`];
    const lookup = [...load, '--proto', 'proto/kuroshio/features/v1/feature_service.proto', '--import-paths', 'proto', '--call', 'kuroshio.features.v1.FeatureService.GetOnlineFeatures', '-d', featureData, grpcAddress];
    const health = [...load, '--proto', 'node_modules/grpc-health-check/proto/health/v1/health.proto', '--call', 'grpc.health.v1.Health.Check', '-d', '{"service":""}', grpcAddress];
    await ghz(ctx, [...lookup.slice(0, 9), '5s', ...lookup.slice(10)], server.child.pid); // warm-up (JIT, connections)
    const rounds = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const features20 = await ghz(ctx, lookup, server.child.pid);
      const reference = await ghz(ctx, health, server.child.pid);
      ctx.log(`round ${round + 1}: GetOnlineFeatures p50 ${features20.p50.toFixed(3)} ms p99 ${features20.p99.toFixed(3)} ms at ${features20.rps.toFixed(0)}/s, ${features20.serverCpuMicrosPerCall.toFixed(0)} µs CPU/call; Health.Check p50 ${reference.p50.toFixed(3)} p99 ${reference.p99.toFixed(3)} ms, ${reference.serverCpuMicrosPerCall.toFixed(0)} µs CPU/call; load ${features20.loadavg.toFixed(1)}`);
      rounds.push({ features20, reference });
    }
    const p50 = median(rounds.map((r) => r.features20.p50));
    const p99 = median(rounds.map((r) => r.features20.p99));
    const refP50 = median(rounds.map((r) => r.reference.p50));
    const refP99 = median(rounds.map((r) => r.reference.p99));
    const cpu = median(rounds.map((r) => r.features20.serverCpuMicrosPerCall));
    const refCpu = median(rounds.map((r) => r.reference.serverCpuMicrosPerCall));
    const params = { entities: memory.entities, featuresPerRequest: features.length, entitiesPerRequest: 1, eventsPerEntity: memory.eventsPerEntity, rate: RATE, seconds: SECONDS, rounds: ROUNDS, concurrency: CONCURRENCY, targetP99Ms: TARGET_P99_MS, rounds_detail: rounds };
    return [
      { name: 'feature-store-online/state-bytes-per-entity', unit: 'B', value: memory.bytesPerEntity, better: 'lower', reference: null, params: { ...memory } },
      { name: 'feature-store-online/get-online-features-p99', unit: 'ms', value: p99, better: 'lower', reference: { name: 'grpc-health-check/p99', value: refP99 }, params },
      { name: 'feature-store-online/server-cpu-per-call', unit: 'µs', value: cpu, better: 'lower', reference: { name: 'grpc-health-check/server-cpu-per-call', value: refCpu }, params: { rate: RATE, featuresPerRequest: features.length } },
      { name: 'feature-store-online/domain-read', unit: 'µs', value: memory.readMicrosPerRequest, better: 'lower', reference: null, params: { featuresPerRequest: features.length, entitiesPerRequest: 1, inProcess: true } },
      { name: 'feature-store-online/get-online-features-p50', unit: 'ms', value: p50, better: 'lower', reference: { name: 'grpc-health-check/p50', value: refP50 }, params: { rate: RATE, featuresPerRequest: features.length } },
    ];
  } finally {
    server.child.kill('SIGTERM');
  }
}
