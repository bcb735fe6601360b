// Child process of bench/feature-store-online.bench.mjs: fills the online state with synthetic
// entities in-process, measures what the state costs, then serves FeatureService.GetOnlineFeatures
// (and grpc.health.v1 on the same server) from it. Prints one JSON line when ready; stops on SIGTERM.
import { Module } from '@nestjs/common';
import { composeConfig, loadConfig, serviceConfig } from '@kuroshio/config';
import { grpcServiceOptions } from '@kuroshio/contracts';
import { startService } from '@kuroshio/service-kit';
import { createLogger } from '@kuroshio/telemetry';
import { freePort } from '@kuroshio/testing';
import { OnlineReads } from '../../services/feature-store/dist/online/online-reads.js';
import { OnlineState } from '../../services/feature-store/dist/online/state/online-state.js';
import { OnlineFeaturesController } from '../../services/feature-store/dist/online/transport/online-features.controller.js';

const ENTITIES = Number(process.env.BENCH_ENTITIES ?? 1_000_000);
const EVENTS_PER_VIEW = Number(process.env.BENCH_EVENTS_PER_VIEW ?? 3);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.now();

// 4 views x 5 features = 20 features, every aggregation, hour and day buckets.
function view(name, event, windows) {
  const [short, long] = windows;
  return {
    name, version: 1, entity: 'customer', description: name, owner: 'bench', sourceEvents: [event], filters: [], ttlMs: 30 * DAY,
    features: [
      { name: 'count_short', description: '', aggregation: 'count', windowMs: short, valueType: 'int64' },
      { name: 'sum_long', description: '', aggregation: 'sum', property: 'amount', windowMs: long, valueType: 'double' },
      { name: 'max_long', description: '', aggregation: 'max', property: 'amount', windowMs: long, valueType: 'double' },
      { name: 'last_merchant', description: '', aggregation: 'last_value', property: 'merchant', windowMs: long, valueType: 'string' },
      { name: 'distinct_merchants', description: '', aggregation: 'distinct_count', property: 'merchant', windowMs: long, valueType: 'int64' },
    ],
  };
}
export const VIEWS = [
  view('bench_payments', 'Payment Made', [DAY, 7 * DAY]),
  view('bench_logins', 'Logged In', [HOUR, DAY]),
  view('bench_charges', 'Carrier Billing Charge', [7 * DAY, 30 * DAY]),
  view('bench_messages', 'Message Sent', [DAY, 7 * DAY]),
];

function usage() {
  global.gc();
  global.gc();
  const { heapUsed, arrayBuffers, rss } = process.memoryUsage();
  return { heapUsed, arrayBuffers, rss };
}

const before = usage();
const state = new OnlineState(VIEWS, { retentionSlackMs: HOUR });
const fillStarted = performance.now();
let seed = 12345;
const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
for (let e = 0; e < ENTITIES; e += 1) {
  const entityId = `bench-${e}`;
  for (const v of VIEWS) {
    for (let i = 0; i < EVENTS_PER_VIEW; i += 1) {
      const timeMs = NOW - Math.floor(random() * Math.min(7 * DAY, v.features[1].windowMs));
      state.apply({ entityId, type: 'track', event: v.sourceEvents[0], timeMs, properties: { amount: Math.round(random() * 100_000) / 100, merchant: `m${Math.floor(random() * 500)}` } }, NOW);
    }
  }
}
const fillSeconds = (performance.now() - fillStarted) / 1000;
const after = usage();
const memory = {
  entities: state.entityCount,
  eventsPerEntity: EVENTS_PER_VIEW * VIEWS.length,
  heapDeltaBytes: after.heapUsed - before.heapUsed,
  arrayBufferDeltaBytes: after.arrayBuffers - before.arrayBuffers,
  typedBytes: state.typedBytes,
  rssBytes: after.rss,
  fillSeconds,
};
memory.bytesPerEntity = (memory.heapDeltaBytes + memory.arrayBufferDeltaBytes) / memory.entities;

const reads = new OnlineReads(() => state, { maxEntitiesPerRequest: 1_000, maxValuesPerRequest: 100_000 }, () => true);
// The domain read alone (validation + 20 windowed aggregates of one random entity), CPU-bound, in-process.
const allRefs = VIEWS.flatMap((v) => v.features.map((f) => ({ featureView: v.name, feature: f.name, version: 1 })));
const readMicros = [];
for (let round = 0; round < 3; round += 1) {
  const started = performance.now();
  for (let i = 0; i < 100_000; i += 1) reads.read(allRefs, [`bench-${Math.floor(random() * ENTITIES)}`], NOW);
  readMicros.push(((performance.now() - started) * 1000) / 100_000);
}
memory.readMicrosPerRequest = readMicros.sort((a, b) => a - b)[1];
class BenchOnlineModule {}
Module({})(BenchOnlineModule);
const grpcPort = await freePort();
const config = loadConfig(composeConfig({ service: serviceConfig({ name: 'feature-store', httpPort: 0, grpcPort }) }), { LOG_LEVEL: 'warn' });
const { port: _port, ...grpc } = grpcServiceOptions('feature-store', grpcPort);
const running = await startService({
  config,
  module: () => ({ module: BenchOnlineModule, controllers: [OnlineFeaturesController], providers: [{ provide: OnlineReads, useValue: reads }] }),
  logger: createLogger({ service: 'feature-store-bench', level: 'warn' }),
  grpc,
});
process.stdout.write(`${JSON.stringify({ ready: true, grpcAddress: running.grpcAddress, memory, views: VIEWS.map((v) => ({ name: v.name, features: v.features.map((f) => f.name) })) })}\n`);
process.once('SIGTERM', () => {
  running.close().then(() => process.exit(0), () => process.exit(1));
});
