// The topic the benchmark's collector writes to: a copy of events.raw's layout (same partition
// count) with a short retention, so benchmark traffic never reaches consumers of the real
// events.raw (the ETL, tests reading it from the beginning). Its high watermark, summed over the
// partitions, is how many records it holds, to compare with what the collector acknowledged.
import kafkajs from 'kafkajs';

const RAW_TOPIC = 'kuroshio.events.raw.v1';
export const BENCH_RAW_TOPIC = 'kuroshio.bench.collector-raw.v1';

async function withAdmin(brokers, work) {
  const kafka = new kafkajs.Kafka({ clientId: 'kuroshio-collector-bench', brokers: brokers.split(','), logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

export function ensureBenchRawTopic(brokers) {
  return withAdmin(brokers, async (admin) => {
    const { topics } = await admin.fetchTopicMetadata({ topics: [RAW_TOPIC] });
    const partitions = topics[0].partitions.length;
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: BENCH_RAW_TOPIC, numPartitions: partitions, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '900000' }] }],
    });
    const created = await admin.fetchTopicMetadata({ topics: [BENCH_RAW_TOPIC] });
    const actual = created.topics[0].partitions.length;
    if (actual !== partitions) throw new Error(`${BENCH_RAW_TOPIC} has ${actual} partitions, ${RAW_TOPIC} ${partitions}; delete it and rerun`);
    return partitions;
  });
}

export function highWatermark(brokers, topic) {
  return withAdmin(brokers, async (admin) => {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
  });
}
