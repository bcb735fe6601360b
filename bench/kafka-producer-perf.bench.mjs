// The machine's ceiling for durable Kafka writes: Kafka's own ProducerPerformance (what
// kafka-producer-perf-test runs), from the jars scripts/stack installed, against the local broker with
// the collector's durability settings (acks=all, idempotent). Later benchmarks quote these figures
// as their reference, so this one has none.
//
// Two runs: one unthrottled, for throughput; one at half that rate, for latency. At full speed every
// record waits behind the producer's whole 32 MiB buffer, so latency there measures the buffer, not
// the broker.
import { cpus, loadavg } from 'node:os';
import { kafkaProducerPerf, PARTITIONS, RECORD_SIZE, TOPIC } from './lib/kafka-producer-perf.mjs';

const THROUGHPUT_RECORDS = 3_000_000;
const LATENCY_SECONDS = 10;

export default async function run(ctx) {
  // Other work on a 2-core machine moves these figures a lot; the load at start says how much to trust them.
  const loadAtStart = Number(loadavg()[0].toFixed(2));
  const { producerPerf, toolParams } = await kafkaProducerPerf(ctx);

  ctx.log(`unthrottled: ${THROUGHPUT_RECORDS} records of ${RECORD_SIZE} B to ${TOPIC} (${PARTITIONS} partitions)`);
  const full = await producerPerf(THROUGHPUT_RECORDS, -1);
  const latencyRate = Math.max(1000, Math.floor(full.recordsPerSec / 2));
  ctx.log(`throttled to ${latencyRate} records/s for ${LATENCY_SECONDS} s`);
  const half = await producerPerf(latencyRate * LATENCY_SECONDS, latencyRate);

  const common = {
    ...toolParams,
    note: 'single local KRaft broker; producer JVM and broker share the machine',
    cpus: cpus().length,
    load_avg_1m_at_start: loadAtStart,
  };
  const throughputParams = {
    ...common,
    num_records: full.records,
    throughput_limit: 'none',
    unthrottled_latency_ms: { avg: full.avgMs, p50: full.p50Ms, p99: full.p99Ms, max: full.maxMs },
  };
  const latencyParams = {
    ...common,
    num_records: half.records,
    throughput_limit_records_per_sec: latencyRate,
    achieved_records_per_sec: half.recordsPerSec,
    latency_ms: { avg: half.avgMs, p50: half.p50Ms, p95: half.p95Ms, p99: half.p99Ms, p999: half.p999Ms, max: half.maxMs },
  };
  return [
    { name: 'kafka-producer-perf/records-per-sec', unit: 'records/s', value: full.recordsPerSec, better: 'higher', reference: null, params: throughputParams },
    { name: 'kafka-producer-perf/throughput', unit: 'MiB/s', value: full.mibPerSec, better: 'higher', reference: null, params: throughputParams },
    { name: 'kafka-producer-perf/latency-p50-at-half-load', unit: 'ms', value: half.p50Ms, better: 'lower', reference: null, params: latencyParams },
    { name: 'kafka-producer-perf/latency-p99-at-half-load', unit: 'ms', value: half.p99Ms, better: 'lower', reference: null, params: latencyParams },
  ];
}
