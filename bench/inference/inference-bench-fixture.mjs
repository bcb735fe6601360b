// The benchmark's surroundings, in their own process so they do not share the inference process's
// CPU accounting: a trainer-layout MLP (3 features → 64 → 32 → 1, the trainer's default MLP shape)
// saved to S3 as versions 1 and 2, FAKE model-registry and feature-store gRPC servers (the store
// holds BENCH_ENTITIES entities), and the benchmark's own Kafka topics. Prints one JSON line with
// the addresses, then obeys stdin lines: `swap <version>` moves alias `champion` (registry and
// alias-changes topic), `quit` ends it.
import { createInterface } from 'node:readline';
import { aliasChangeKey, encodeTopicValue, TOPICS } from '../../libs/contracts/dist/index.js';
import { loadConfig, composeConfig, kafkaConfig, s3Config } from '../../libs/config/dist/index.js';
import { KafkaClient } from '../../libs/kafka/dist/index.js';
import { selectBackend } from '../../libs/model-runtime/dist/index.js';
import { ObjectStore } from '../../libs/object-store/dist/index.js';
import { createLogger } from '../../libs/telemetry/dist/index.js';
import { FakeFeatureStore, FakeModelRegistry } from '../../services/inference/dist/testing/fake-grpc-servers.js';
import { storeTestModel } from '../../services/inference/dist/testing/stored-model.js';

const ENTITIES = Number(process.env.BENCH_ENTITIES ?? 100_000);
const run = process.env.BENCH_RUN ?? String(Date.now());
const model = `bench-mlp-${run}`;
const topics = { predictions: `bench.inference.predictions.${run}`, exposures: `bench.inference.exposures.${run}`, aliases: `bench.inference.aliases.${run}` };
// Logs go to stderr: stdout carries the fixture's JSON lines, which the benchmark reads in order.
const logger = createLogger({ service: 'inference-bench', level: 'warn', destination: { write: (line) => process.stderr.write(line) } });
const env = loadConfig(composeConfig({ kafka: kafkaConfig({ clientId: 'inference-bench' }), s3: s3Config() }), process.env);

await selectBackend();
const store = new ObjectStore(env.s3);
const kafka = new KafkaClient({ ...env.kafka, logger });
await kafka.ensureTopics([
  { name: topics.predictions, partitions: 6 },
  { name: topics.exposures, partitions: 1 },
  { name: topics.aliases, partitions: 1, cleanupPolicy: 'compact' },
]);
const registry = new FakeModelRegistry();
for (const [version, seed] of [[1, 1], [2, 7]]) registry.add((await storeTestModel(store, env.s3.buckets.models, model, version, seed, [64, 32])).version);
registry.aliases.set(`${model}@champion`, 1);
const features = new FakeFeatureStore();
for (let i = 0; i < ENTITIES; i++) {
  features.values.set(`cust-${i}`, {
    'billing:amount_sum_30d': { doubleValue: (i * 7919) % 250_000 },
    ...(i % 5 === 0 ? {} : { 'billing:late_count_90d': { int64Value: i % 4 } }),
    'app:logins_count_7d': { int64Value: i % 13 },
  });
}
const [registryAddress, featureAddress] = await Promise.all([registry.start(), features.start()]);
const producer = kafka.producer();
await producer.connect();

async function swap(version, previous) {
  registry.aliases.set(`${model}@champion`, version);
  const value = { modelName: model, alias: 'champion', version, previousVersion: previous, changedAt: new Date().toISOString(), changedBy: 'bench', reason: 'bench hot swap', auditEventId: `bench-${Date.now()}` };
  await producer.send(topics.aliases, [{ key: aliasChangeKey(model, 'champion'), value: encodeTopicValue(TOPICS.registryAliasChanges, value) }]);
}
await swap(1, null);
console.log(JSON.stringify({ model, topics, registryAddress, featureAddress, entities: ENTITIES }));

let current = 1;
for await (const line of createInterface({ input: process.stdin })) {
  const [command, argument] = line.trim().split(/\s+/);
  if (command === 'swap') {
    const next = Number(argument);
    await swap(next, current);
    current = next;
    console.log(JSON.stringify({ swapped: next }));
  }
  if (command === 'quit') break;
}
await producer.disconnect();
await Promise.all([registry.stop(), features.stop()]);
await kafka.disconnect();
process.exit(0);
