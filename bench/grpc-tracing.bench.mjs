// What the gRPC tracing interceptors (libs/telemetry: grpcServerTracing, grpcClientTracing) cost per
// call, in CPU µs of this process:
//   1. the interceptors alone, driven through grpc-js's own ServerInterceptingCall/InterceptingCall
//      with a stand-in transport, against a pass-through interceptor doing the same calls: tracing
//      on without an exporter (no OTEL_EXPORTER_OTLP_ENDPOINT), with the OTLP/HTTP exporter
//      sending to a receiver in this process (batching and JSON encoding included), and with every
//      call sampled out (OTEL_TRACES_SAMPLER=always_off);
//   2. the feature store's GetOnlineFeatures served by the benchmark server of
//      feature-store-online (Nest ServerGrpc through the service kit, 200,000 entities) at 2,000
//      calls/s from ghz with a caller's traceparent, tracing off / on / on with OTLP export: server
//      CPU per call (GC and export included, which the first part leaves out) and p50/p99 latency.
// No stack needed (ghz from the Go module proxy, as the serving benchmarks install it); builds
// libs/telemetry and the feature store. Rounds alternate so machine load hits each side alike;
// figures are medians over the rounds.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { cpuLayout, ensureGhz, ghzRun, writeDelimitedRequests } from './lib/ghz.mjs';

const CALLS = Number(process.env.GRPC_TRACING_BENCH_CALLS || 50_000);
const ROUNDS = Number(process.env.GRPC_TRACING_BENCH_ROUNDS || 5);
const SERVED_ENTITIES = 200_000;
const SERVED_RATE = 2_000;
const SERVED_SECONDS = 10;
const SERVED_ROUNDS = 3;
const PATH = '/kuroshio.features.v1.FeatureService/GetOnlineFeatures';
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/** An OTLP/HTTP receiver that reads and drops what it gets (its own CPU is counted too, so it does little). */
async function sink() {
  let requests = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      requests += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${server.address().port}`, requests: () => requests, close: () => server.close() };
}

/** grpc-js's server call interface as the transport would drive it, without a socket. */
function serverTransport(grpc, interceptor) {
  const method = { path: PATH, requestStream: false, responseStream: false };
  const base = {
    listener: undefined,
    start(listener) {
      this.listener = listener;
    },
    sendMetadata() {},
    sendMessage(_message, callback) {
      callback();
    },
    sendStatus() {},
    startRead() {},
    getPeer: () => '127.0.0.1:1',
    getDeadline: () => Number.POSITIVE_INFINITY,
    getHost: () => '127.0.0.1',
  };
  const request = { entityIds: ['c-1'] };
  return () => {
    const metadata = new grpc.Metadata();
    metadata.set('traceparent', TRACEPARENT);
    const call = interceptor(method, base);
    call.start({
      onReceiveMetadata() {},
      onReceiveMessage() {},
      onReceiveHalfClose() {
        call.sendMessage({ rows: [] }, () => call.sendStatus({ code: grpc.status.OK, details: 'OK' }));
      },
      onCancel() {},
    });
    base.listener.onReceiveMetadata(metadata);
    base.listener.onReceiveMessage(request);
    base.listener.onReceiveHalfClose();
    base.listener.onCancel();
  };
}

/** A client call through `interceptor` whose transport answers OK at once. */
function clientTransport(grpc, interceptor) {
  const options = { method_definition: { path: PATH, requestStream: false, responseStream: false } };
  const transport = {
    start(metadata, listener) {
      listener.onReceiveMetadata(new grpc.Metadata());
      listener.onReceiveMessage({ rows: [] });
      listener.onReceiveStatus({ code: grpc.status.OK, details: 'OK', metadata: new grpc.Metadata() });
    },
    sendMessageWithContext() {},
    sendMessage() {},
    startRead() {},
    halfClose() {},
    cancelWithStatus() {},
    getPeer: () => '127.0.0.1:1',
  };
  const next = () => transport;
  const listener = { onReceiveMetadata() {}, onReceiveMessage() {}, onReceiveStatus() {} };
  return () => {
    const call = interceptor(options, next);
    call.start(new grpc.Metadata(), listener);
    call.sendMessage({ entityIds: ['c-1'] });
    call.halfClose();
  };
}

/**
 * CPU µs per call of `loop` over `calls` calls. Spans are flushed every 256 calls, inside the
 * measurement: the batch processor would otherwise drop what exceeds its queue (2,048 spans) in a
 * tight loop, and those spans would cost nothing to export.
 */
async function measure(loop, calls, flush) {
  const started = cpuMicros();
  for (let i = 0; i < calls; i += 256) {
    for (let j = i; j < Math.min(calls, i + 256); j++) loop();
    await flush();
  }
  return (cpuMicros() - started) / calls;
}

async function interceptorCosts(grpc, telemetry, mode, receiver) {
  // The SDK reads OTEL_TRACES_SAMPLER when it starts: `always_off` is what a sampled-out call costs.
  if (mode === 'sampled-out') process.env.OTEL_TRACES_SAMPLER = 'always_off';
  const stop = mode === 'off' ? async () => undefined : telemetry.startTracing({ serviceName: 'bench', ...(mode === 'otlp' ? { otlpEndpoint: receiver.endpoint } : {}) });
  delete process.env.OTEL_TRACES_SAMPLER;
  try {
    const loops = {
      serverPlain: serverTransport(grpc, (_method, call) => new grpc.ServerInterceptingCall(call)),
      serverTraced: serverTransport(grpc, telemetry.grpcServerTracing()),
      clientPlain: clientTransport(grpc, (options, next) => new grpc.InterceptingCall(next(options))),
      clientTraced: clientTransport(grpc, telemetry.grpcClientTracing),
    };
    for (const loop of Object.values(loops)) await measure(loop, CALLS, telemetry.flushSpans); // warm-up
    const figures = Object.fromEntries(Object.keys(loops).map((name) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, loop] of Object.entries(loops)) figures[name].push(await measure(loop, CALLS, telemetry.flushSpans));
    }
    const perCall = Object.fromEntries(Object.entries(figures).map(([name, values]) => [name, median(values)]));
    return { server: perCall.serverTraced - perCall.serverPlain, client: perCall.clientTraced - perCall.clientPlain, perCall };
  } finally {
    await stop();
  }
}

/** The feature store's online server (bench/feature-store-online) as a process, tracing per `mode`. */
function startOnlineServer(ctx, layout, mode, receiver) {
  const preload = mode === 'off' ? [] : ['--import', join(ctx.root, 'bench', 'grpc-tracing', 'start-tracing.mjs')];
  const [command, args] = layout.serverCommand(process.execPath, ['--expose-gc', ...preload, join(ctx.root, 'bench', 'feature-store-online', 'online-server.mjs')]);
  const child = spawn(command, args, {
    cwd: ctx.root,
    env: { ...process.env, ...ctx.env, BENCH_ENTITIES: String(SERVED_ENTITIES), ...(mode === 'otlp' ? { BENCH_OTLP_ENDPOINT: receiver.endpoint } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve({ child, mode, ...JSON.parse(line) }));
    child.once('exit', (code) => reject(new Error(`online server (${mode}) exited with ${code}: ${stderr.slice(-2000)}`)));
  });
}

/**
 * GetOnlineFeatures (one entity × 20 features) at SERVED_RATE/s from ghz, with the caller's
 * traceparent, against three servers: tracing off (what the feature-store-online benchmark
 * measures), on without an exporter, on with OTLP export. Server CPU per call and latency.
 */
async function servingCosts(ctx, receiver) {
  await ensureGhz(ctx);
  const layout = cpuLayout();
  await ctx.exec('flock', ['/tmp/kuroshio-build.lock', 'npx', 'tsc', '-b', 'services/feature-store'], { timeoutMs: 5 * 60_000 });
  const servers = [];
  try {
    for (const mode of ['off', 'no-exporter', 'otlp']) servers.push(await startOnlineServer(ctx, layout, mode, receiver));
    const features = servers[0].views.flatMap((view) => view.features.map((feature) => ({ feature_view: view.name, feature, version: 1 })));
    const requests = writeDelimitedRequests(
      ctx.root,
      join(tmpdir(), `grpc-tracing-bench-${process.pid}.bin`),
      'kuroshio/features/v1/feature_service.proto',
      'kuroshio.features.v1.GetOnlineFeaturesRequest',
      Array.from({ length: 5_000 }, (_, i) => ({ features, entity_ids: [`bench-${(i * 7_919) % SERVED_ENTITIES}`] })),
    );
    const call = (server, seconds) => [
      '--rps', String(SERVED_RATE), '--concurrency', '50', '--connections', '4', '--duration-stop', 'wait', '--duration', `${seconds}s`,
      '--metadata', JSON.stringify({ traceparent: TRACEPARENT }),
      '--proto', 'proto/kuroshio/features/v1/feature_service.proto', '--import-paths', 'proto', '--call', 'kuroshio.features.v1.FeatureService.GetOnlineFeatures', '-B', requests, server.grpcAddress,
    ];
    for (const server of servers) await ghzRun(ctx, call(server, 3), { serverPid: server.child.pid, layout }); // warm-up
    const rounds = Object.fromEntries(servers.map((server) => [server.mode, []]));
    for (let round = 0; round < SERVED_ROUNDS; round++) {
      for (const server of servers) rounds[server.mode].push(await ghzRun(ctx, call(server, SERVED_SECONDS), { serverPid: server.child.pid, layout }));
    }
    const summary = (mode) => ({
      cpu: median(rounds[mode].map((r) => r.serverCpuMicrosPerCall)),
      p50: median(rounds[mode].map((r) => r.p50)),
      p99: median(rounds[mode].map((r) => r.p99)),
    });
    return { off: summary('off'), noExporter: summary('no-exporter'), otlp: summary('otlp'), pinned: layout.pinned, rounds };
  } finally {
    for (const server of servers) server.child.kill('SIGTERM');
  }
}

export default async function run(ctx) {
  const loadAtStart = Number(loadavg()[0].toFixed(2));
  await ctx.exec('flock', ['/tmp/kuroshio-build.lock', 'npx', 'tsc', '-b', 'libs/telemetry'], { timeoutMs: 5 * 60_000 });
  const telemetry = await import(join(ctx.root, 'libs/telemetry/dist/index.js'));
  const grpc = await import('@grpc/grpc-js');
  const receiver = await sink();
  try {
    const off = await interceptorCosts(grpc, telemetry, 'off', receiver);
    const noExporter = await interceptorCosts(grpc, telemetry, 'no-exporter', receiver);
    const otlp = await interceptorCosts(grpc, telemetry, 'otlp', receiver);
    const sampledOut = await interceptorCosts(grpc, telemetry, 'sampled-out', receiver);
    const line = (side) => `${noExporter[side].toFixed(2)} (OTLP export ${otlp[side].toFixed(2)}, sampled out ${sampledOut[side].toFixed(2)}, tracing off ${off[side].toFixed(2)})`;
    ctx.log(`interceptors alone, CPU µs/call: server ${line('server')}; client ${line('client')}`);
    const served = await servingCosts(ctx, receiver);
    const show = ({ cpu, p50, p99 }) => `${cpu.toFixed(0)} µs CPU/call, p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms`;
    ctx.log(`GetOnlineFeatures at ${SERVED_RATE}/s: tracing off ${show(served.off)}; on ${show(served.noExporter)}; OTLP export ${show(served.otlp)}; OTLP requests received ${receiver.requests()}`);
    const params = { calls: CALLS, rounds: ROUNDS, loadAtStart, loadAtEnd: Number(loadavg()[0].toFixed(2)) };
    const servedParams = { entities: SERVED_ENTITIES, rate: SERVED_RATE, seconds: SERVED_SECONDS, rounds: SERVED_ROUNDS, pinned: served.pinned, loadAtEnd: params.loadAtEnd, rounds_detail: served.rounds };
    return [
      { name: 'grpc-tracing/server-interceptor', unit: 'µs', value: noExporter.server, better: 'lower', reference: null, params: { ...params, otlpExport: otlp.server, sampledOut: sampledOut.server, tracingOff: off.server, perCall: { noExporter: noExporter.perCall, otlp: otlp.perCall } } },
      { name: 'grpc-tracing/client-interceptor', unit: 'µs', value: noExporter.client, better: 'lower', reference: null, params: { ...params, otlpExport: otlp.client, sampledOut: sampledOut.client, tracingOff: off.client } },
      {
        name: 'grpc-tracing/get-online-features-server-cpu',
        unit: 'µs',
        value: served.noExporter.cpu,
        better: 'lower',
        reference: { name: 'grpc-tracing/get-online-features-server-cpu-untraced', value: served.off.cpu },
        params: { ...servedParams, otlpExport: served.otlp.cpu },
      },
      {
        name: 'grpc-tracing/get-online-features-p99',
        unit: 'ms',
        value: served.otlp.p99,
        better: 'lower',
        reference: { name: 'grpc-tracing/get-online-features-p99-untraced', value: served.off.p99 },
        params: { targetP99Ms: 2, noExporter: served.noExporter.p99, p50: { off: served.off.p50, noExporter: served.noExporter.p50, otlp: served.otlp.p50 } },
      },
    ];
  } finally {
    receiver.close();
  }
}
