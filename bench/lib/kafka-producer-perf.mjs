// Kafka's own ProducerPerformance (what kafka-producer-perf-test runs), from the jars scripts/stack
// installed, against the local broker with the collector's durability settings (acks=all,
// idempotent): the machine's ceiling for durable Kafka writes. Shared by kafka-producer-perf.bench.mjs
// and the service benchmarks that quote it as their reference.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const TOPIC = 'kuroshio.bench.producer-perf.v1';
// kuroshio.events.raw.v1 has 6 partitions; the ceiling is measured with the same fan-out.
export const PARTITIONS = 6;
export const RECORD_SIZE = 500;
export const PRODUCER_PROPS = { acks: 'all', 'enable.idempotence': 'true' };

// "1000000 records sent, 79821.2 records/sec (38.06 MB/sec), 602.44 ms avg latency, 1746.00 ms max
// latency, 549 ms 50th, 1462 ms 95th, 1714 ms 99th, 1733 ms 99.9th."
const FINAL_LINE =
  /^(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th/;

export function parseFinalLine(stdout) {
  const line = stdout.trim().split('\n').reverse().find((l) => FINAL_LINE.test(l));
  if (!line) throw new Error(`no final summary line in ProducerPerformance output:\n${stdout.slice(-2000)}`);
  const m = FINAL_LINE.exec(line);
  return {
    records: Number(m[1]),
    recordsPerSec: Number(m[2]),
    // ProducerPerformance divides by 1024 * 1024 although it prints "MB".
    mibPerSec: Number(m[3]),
    avgMs: Number(m[4]),
    maxMs: Number(m[5]),
    p50Ms: Number(m[6]),
    p95Ms: Number(m[7]),
    p99Ms: Number(m[8]),
    p999Ms: Number(m[9]),
  };
}

/**
 * Prepares the perf topic and returns `producerPerf(numRecords, throughput)` (throughput -1 for
 * unthrottled) plus what a result's params should record about the tool.
 */
export async function kafkaProducerPerf(ctx, { recordSize = RECORD_SIZE } = {}) {
  const libs = join(ctx.stackDir, 'kafka', 'libs');
  if (!existsSync(join(libs, '.pom-sha256'))) {
    throw new Error(`no Kafka jars in ${libs}: run scripts/stack install (or up) first`);
  }
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const bootstrap = ctx.env.KAFKA_BROKERS;
  const kafkaTool = (mainClass, args, options) =>
    ctx.exec(
      java,
      [
        '-Xmx512m',
        `-Dlog4j2.configurationFile=${join(ctx.root, 'infra', 'kafka', 'tools-log4j2.xml')}`,
        '-cp',
        join(libs, '*'),
        mainClass,
        ...args,
      ],
      options,
    );

  // Short retention: every run appends about 1 GB, which the broker may drop a quarter of an hour later.
  await kafkaTool('org.apache.kafka.tools.TopicCommand', [
    '--bootstrap-server', bootstrap, '--create', '--if-not-exists', '--topic', TOPIC,
    '--partitions', String(PARTITIONS), '--replication-factor', '1', '--config', 'retention.ms=900000',
  ]);
  const described = await kafkaTool('org.apache.kafka.tools.TopicCommand', [
    '--bootstrap-server', bootstrap, '--describe', '--topic', TOPIC,
  ]);
  const partitions = Number(/PartitionCount:\s*(\d+)/.exec(described.stdout)?.[1]);
  if (partitions !== PARTITIONS) {
    throw new Error(`${TOPIC} has ${partitions} partitions, expected ${PARTITIONS}; delete it and rerun`);
  }

  const producerPerf = (numRecords, throughput) =>
    kafkaTool(
      'org.apache.kafka.tools.ProducerPerformance',
      [
        '--topic', TOPIC, '--num-records', String(numRecords), '--record-size', String(recordSize),
        '--throughput', String(throughput),
        // --command-property replaces --producer-props (deprecated in Kafka 4.x); it takes every
        // key=value after it, and a second --command-property would replace the first.
        '--command-property', `bootstrap.servers=${bootstrap}`,
        ...Object.entries(PRODUCER_PROPS).map(([k, v]) => `${k}=${v}`),
      ],
      { timeoutMs: 5 * 60_000, onStdoutLine: (line) => ctx.log(line) },
    ).then(({ stdout }) => parseFinalLine(stdout));

  const clientsJar = readdirSync(libs).find((f) => /^kafka-clients-.*\.jar$/.test(f));
  const toolParams = {
    tool: 'org.apache.kafka.tools.ProducerPerformance',
    kafka_version: clientsJar?.replace(/^kafka-clients-|\.jar$/g, '') ?? 'unknown',
    bootstrap,
    topic: TOPIC,
    partitions: PARTITIONS,
    record_size_bytes: recordSize,
    producer_props: PRODUCER_PROPS,
  };
  return { producerPerf, toolParams };
}
