// Child of bench/kafkajs-idle.bench.mjs. With `--with-fix`, imports @kuroshio/kafka first (which
// installs its kafkajs replacements, the request-queue fix among them); without, kafkajs runs as
// shipped. Connects an idempotent producer (one request in flight, so concurrent sends queue),
// sends 20 records at once, then measures its own CPU over IDLE_SECONDS with nothing to do.
// Prints one JSON line.
const withFix = process.argv.includes('--with-fix');
if (withFix) await import('@kuroshio/kafka');
const { default: kafkajs } = await import('kafkajs');

const TOPIC = 'kuroshio.bench.kafkajs-idle.v1';
const IDLE_SECONDS = Number(process.env.IDLE_SECONDS ?? 5);
const kafka = new kafkajs.Kafka({ clientId: 'kuroshio-kafkajs-idle-bench', brokers: process.env.KAFKA_BROKERS.split(','), logLevel: kafkajs.logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '600000' }] }] });
await admin.disconnect();
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
await producer.connect();
await Promise.all(Array.from({ length: 20 }, (_, i) => producer.send({ topic: TOPIC, acks: -1, messages: [{ value: `idle-${i}` }] })));
const before = process.cpuUsage();
await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
const used = process.cpuUsage(before);
await producer.disconnect();
process.stdout.write(`${JSON.stringify({ withFix, idleSeconds: IDLE_SECONDS, cpuMs: (used.user + used.system) / 1000 })}\n`);
