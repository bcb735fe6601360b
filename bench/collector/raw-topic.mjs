// The topic the benchmark's collector writes to: a copy of events.raw's layout (same partition
// count) with a short retention, so benchmark traffic never reaches consumers of the real
// events.raw (the ETL, tests reading it from the beginning). Its high watermark, summed over the
// partitions, is how many records it holds, to compare with what the collector acknowledged.
const RAW_TOPIC = 'kuroshio.events.raw.v1';
export const BENCH_RAW_TOPIC = 'kuroshio.bench.collector-raw.v1';

async function withKafka(brokers, work) {
  // Imported when used, not when this module loads: the benchmark builds the libraries first.
  const dist = (lib) => import(new URL(`../../libs/${lib}/dist/index.js`, import.meta.url).href);
  const [{ KafkaClient }, { createLogger }] = await Promise.all([dist('kafka'), dist('telemetry')]);
  const logger = createLogger({ service: 'collector-bench', level: 'warn' });
  const kafka = new KafkaClient({ brokers: brokers.split(','), clientId: 'kuroshio-collector-bench', logger });
  try {
    return await work(kafka);
  } finally {
    await kafka.disconnect();
  }
}

export function ensureBenchRawTopic(brokers) {
  return withKafka(brokers, async (kafka) => {
    const partitions = (await kafka.topicOffsets(RAW_TOPIC)).length;
    const [report] = await kafka.ensureTopics([{ name: BENCH_RAW_TOPIC, partitions, replicationFactor: 1, retentionMs: 900_000 }]);
    const drift = report.drift.find((entry) => entry.setting === 'partitions');
    if (drift) throw new Error(`${BENCH_RAW_TOPIC} has ${drift.actual} partitions, ${RAW_TOPIC} ${partitions}; delete it and rerun`);
    return partitions;
  });
}

export function highWatermark(brokers, topic) {
  return withKafka(brokers, async (kafka) => {
    const offsets = await kafka.topicOffsets(topic);
    return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
  });
}
