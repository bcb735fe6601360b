import { credentials, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { Module, type DynamicModule } from '@nestjs/common';
import { composeConfig, kafkaConfig, loadConfig, s3Config, serviceConfig } from '@kuroshio/config';
import { encodeTopicValue, grpcJs, grpcServiceOptions, TOPICS, type CleanEventValue } from '@kuroshio/contracts';
import { KafkaClient, KafkaModule } from '@kuroshio/kafka';
import { ObjectStore, ObjectStoreModule } from '@kuroshio/object-store';
import { startService, type RunningService } from '@kuroshio/service-kit';
import { createLogger, metricsRegistry } from '@kuroshio/telemetry';
import { freePort, stackEndpoints, uniqueName, waitFor } from '@kuroshio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chargesView } from '../testing/test-views.js';
import { evaluateFeature, type TimedViewEvent } from '../views/feature-value.js';
import { FeatureViewRegistry } from '../views/feature-view-registry.js';
import { onlineStoreConfig } from './online-config.js';
import { OnlineFeatureStore } from './online-feature-store.js';
import { OnlineStoreModule } from './online-store.module.js';
import { snapshotPrefix } from './snapshot/snapshot-store.js';

const endpoints = stackEndpoints();
const topic = uniqueName('it.feature-store-online', '.');
const groupId = uniqueName('it-fs-online');
const logger = createLogger({ service: 'feature-store-online-it', level: 'silent' });
const views = [chargesView];
const refs = chargesView.features.map((f) => ({ featureView: chargesView.name, feature: f.name, version: 1 }));
const customers = ['it-c1', 'it-c2', 'it-c3', 'it-c4'];
const NOW = Date.now();

@Module({})
class TestViewsModule {}

@Module({})
class OnlineUnderTestModule {}

async function startOnlineStore(): Promise<RunningService<unknown> & { store: OnlineFeatureStore }> {
  const grpcPort = await freePort();
  const schema = composeConfig({
    service: serviceConfig({ name: 'feature-store', httpPort: 0, grpcPort }),
    kafka: kafkaConfig({ clientId: 'feature-store-online-it' }),
    s3: s3Config(),
    online: onlineStoreConfig(),
  });
  const config = loadConfig(schema, {
    ...process.env,
    FEATURE_STORE_ONLINE_TOPIC: topic,
    FEATURE_STORE_ONLINE_GROUP: groupId,
    FEATURE_STORE_ONLINE_SNAPSHOT_INTERVAL_MS: '3600000',
  });
  const { port: _port, ...grpc } = grpcServiceOptions('feature-store', grpcPort);
  const module = (): DynamicModule => ({
    module: OnlineUnderTestModule,
    imports: [
      KafkaModule.forRoot(config.kafka),
      ObjectStoreModule.forRoot(config.s3),
      { module: TestViewsModule, global: true, providers: [{ provide: FeatureViewRegistry, useValue: new FeatureViewRegistry(views) }], exports: [FeatureViewRegistry] },
      OnlineStoreModule.forRoot(config),
    ],
  });
  const running = await startService({ config, module, logger, grpc, readinessTimeoutMs: 2_000 });
  return Object.assign(running, { store: running.app.get(OnlineFeatureStore) });
}

let sequence = 0;
const produced: (TimedViewEvent & { customer: string })[] = [];
const sent: { key: string; value: Buffer }[] = [];

/** Clean events as the ETL publishes them, keyed by customer; remembered for the expected values. */
async function produce(kafka: KafkaClient, count: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  const messages = Array.from({ length: count }, () => {
    sequence += 1;
    const customer = customers[sequence % customers.length]!;
    const eventTimeMs = NOW - (sequence % 97) * 3_600_000 - sequence;
    const properties = { currency: sequence % 5 === 0 ? 'USD' : 'TWD', amount: (sequence * 37) % 1000, merchant: `m${sequence % 4}` };
    const value: CleanEventValue = {
      envelope: {
        messageId: `it-${String(sequence).padStart(6, '0')}`,
        type: 'track',
        event: 'Carrier Billing Charge',
        userId: customer,
        timestamp: new Date(eventTimeMs).toISOString(),
        receivedAt: new Date(NOW).toISOString(),
        context: { channel: 'app' },
        tenant: 'it',
        source: 'it-app',
        properties,
      },
      processing: { raw: { topic: 'raw', partition: 0, offset: String(sequence) }, eventSchema: null, clockSkewMs: 0, tokenizedPaths: [], processedAt: new Date(NOW).toISOString() },
    };
    produced.push({ customer, messageId: value.envelope.messageId, type: 'track', event: 'Carrier Billing Charge', eventTimeMs, properties });
    return { key: customer, value: encodeTopicValue(TOPICS.eventsClean, value) };
  });
  sent.push(...messages);
  for (let i = 0; i < messages.length; i += 1_000) await producer.send(topic, messages.slice(i, i + 1_000));
  await producer.disconnect();
}

/** What an ETL replay of a raw batch does: the first `count` clean records again, same raw coordinates. */
async function produceReplay(kafka: KafkaClient, count: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < count; i += 1_000) await producer.send(topic, sent.slice(i, Math.min(count, i + 1_000)));
  await producer.disconnect();
}

async function duplicatesDropped(): Promise<number> {
  const { values } = await metricsRegistry.getSingleMetric('feature_store_online_events_total')!.get();
  return values.find((value) => value.labels['outcome'] === 'duplicate')?.value ?? 0;
}

function expectedValues(asOfMs: number) {
  return customers.map((customer) =>
    chargesView.features.map((feature) => evaluateFeature(chargesView, feature, produced.filter((e) => e.customer === customer), asOfMs)),
  );
}

function grpcGet(address: string, entityIds: string[]): Promise<grpcJs.features.v1.GetOnlineFeaturesResponse> {
  const client = new grpcJs.features.v1.FeatureServiceClient(address, credentials.createInsecure());
  return new Promise<grpcJs.features.v1.GetOnlineFeaturesResponse>((resolve, reject) => {
    client.getOnlineFeatures({ features: refs, entityIds }, (error, response) => (error ? reject(error) : resolve(response))).on('status', () => client.close());
  });
}

describe('online store against Kafka and S3', () => {
  const kafka = new KafkaClient({ ...endpoints.kafka, clientId: 'feature-store-online-it', logger });
  const objects = new ObjectStore(endpoints.s3);
  const asOf = NOW + 1;

  beforeAll(async () => {
    await kafka.ensureTopics([{ name: topic, partitions: 3, replicationFactor: 1 }]);
  });

  afterAll(async () => {
    for await (const object of objects.list(endpoints.s3.buckets.lake, snapshotPrefix(groupId))) await objects.remove(endpoints.s3.buckets.lake, object.key);
    await kafka.disconnect();
  });

  it('serves the definition’s values, snapshots, and after a kill replays to the same values', async () => {
    await produce(kafka, 300);
    const first = await startOnlineStore();
    try {
      await waitFor(() => first.store.ready, { timeoutMs: 30_000, description: 'first start caught up' });
      expect(await first.store.read(refs, customers, asOf)).toEqual(expectedValues(asOf));
      const reply = await grpcGet(first.grpcAddress!, [customers[0]!, 'it-nobody']);
      expect(reply.features).toEqual(refs);
      expect(reply.rows.map((row) => row.entityId)).toEqual([customers[0], 'it-nobody']);
      const count7d = refs.findIndex((ref) => ref.feature === 'count_7d');
      expect(reply.rows[0]!.values[count7d]!.status).toBe(grpcJs.features.v1.FeatureValueStatus.FEATURE_VALUE_STATUS_PRESENT);
      expect(reply.rows[0]!.values[count7d]!.value?.int64Value).toBe(expectedValues(Date.now())[0]![count7d]!.value);
      expect(reply.rows[1]!.values.every((value) => value.status === grpcJs.features.v1.FeatureValueStatus.FEATURE_VALUE_STATUS_NOT_FOUND)).toBe(true);
    } finally {
      await first.close(); // graceful: writes the final snapshot
    }
    const snapshotKeys = async () => {
      const keys: string[] = [];
      for await (const object of objects.list(endpoints.s3.buckets.lake, snapshotPrefix(groupId))) keys.push(object.key);
      return keys;
    };
    expect(await snapshotKeys()).toHaveLength(1);

    await produce(kafka, 20_000);
    await produceReplay(kafka, 300); // already in the snapshot: counted once
    const second = await startOnlineStore();
    let valuesBeforeKill: unknown;
    try {
      // Restoring and replaying take I/O: right after start the state is not ready and says so.
      expect(second.store.ready).toBe(false);
      await expect(second.store.check()).rejects.toThrow(/online state/);
      const refused = await grpcGet(second.grpcAddress!, [customers[0]!]).catch((error: ServiceError) => error);
      expect((refused as ServiceError).code).toBe(GrpcStatus.UNAVAILABLE);
      await waitFor(() => second.store.ready, { timeoutMs: 60_000, description: 'second start caught up' });
      await expect(second.store.check()).resolves.toBeUndefined();
      valuesBeforeKill = await second.store.read(refs, customers, asOf);
      expect(valuesBeforeKill).toEqual(expectedValues(asOf));
      const duplicatesBefore = await duplicatesDropped();
      expect(duplicatesBefore).toBeGreaterThanOrEqual(300);
      await produceReplay(kafka, 20_300); // replayed while running, after more than one raw batch
      await waitFor(async () => (await duplicatesDropped()) >= duplicatesBefore + 20_300, { timeoutMs: 60_000, description: 'the replay consumed' });
      expect(await second.store.read(refs, customers, asOf)).toEqual(valuesBeforeKill);
      await second.store.crash();
    } finally {
      await second.close();
    }
    expect(await snapshotKeys()).toHaveLength(1); // the kill wrote none

    const third = await startOnlineStore();
    try {
      await waitFor(() => third.store.ready, { timeoutMs: 60_000, description: 'restart after the kill caught up' });
      expect(await third.store.read(refs, customers, asOf)).toEqual(valuesBeforeKill);
    } finally {
      await third.close();
    }
  }, 180_000);
});
