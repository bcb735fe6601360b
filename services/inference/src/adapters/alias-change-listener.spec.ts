import type { AliasChangeValue } from '@kuroshio/contracts';
import type { BatchHandler, ConsumedMessage, KafkaClient } from '@kuroshio/kafka';
import { createLogger } from '@kuroshio/telemetry';
import { describe, expect, it } from 'vitest';
import type { ModelTarget } from '../domain/model-selector.js';
import { PredictionLog } from '../domain/prediction-log.js';
import { Predictor } from '../domain/predictor.js';
import { catalogOver, FakeExperimentDirectory, FakeOnlineFeatures, InMemoryModels, RecordingSender } from '../testing/in-memory-serving.js';
import { AliasChangeListener, type AliasChangeTarget } from './alias-change-listener.js';

const logger = createLogger({ service: 'inference-test', level: 'silent' });
const TOPIC = 'kuroshio.registry.alias-changes.v1';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A listener on a stand-in Kafka client; `deliver` hands it one fetched batch of alias changes. */
async function listening(target: AliasChangeTarget) {
  let handler: BatchHandler | undefined;
  const kafka = {
    consumer: () => ({
      start: async (handle: BatchHandler) => void (handler = handle),
      check: async () => undefined,
      disconnect: async () => undefined,
    }),
  } as unknown as KafkaClient;
  const listener = new AliasChangeListener(kafka, TOPIC, 'test-aliases', target, logger);
  listener.start();
  await sleep(0);
  let offset = 0;
  const deliver = (changes: Array<[modelName: string, alias: string, version: number | null]>) =>
    (handler as BatchHandler)({
      topic: TOPIC,
      partition: 0,
      highWatermark: String(offset + changes.length),
      heartbeat: async () => undefined,
      messages: changes.map(([modelName, alias, version]): ConsumedMessage => {
        const value: AliasChangeValue = { modelName, alias, version, previousVersion: null, changedAt: new Date().toISOString(), changedBy: 'test', reason: 'test', auditEventId: `audit-${offset}` };
        return { topic: TOPIC, partition: 0, offset: String(offset++), key: null, value: Buffer.from(JSON.stringify(value)), headers: {}, timestamp: '0', traceContext: undefined as never };
      }),
    });
  return { listener, deliver };
}

describe('AliasChangeListener', () => {
  it("applies a batch's changes in order, the next change of a model only once the previous one is done", async () => {
    const events: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const { deliver } = await listening({
      aliasChanged: async (modelName, alias, version) => {
        events.push(`start ${modelName}/${alias}=${version}`);
        if (modelName === 'm' && alias === 'champion') await gate;
        events.push(`end ${modelName}/${alias}=${version}`);
      },
    });
    const applied = deliver([
      ['m', 'champion', 2],
      ['m', 'challenger', null],
      ['n', 'champion', 5],
    ]);
    await sleep(10);
    // Another model's change does not wait for this model's load.
    expect(events).toEqual(['start m/champion=2', 'start n/champion=5', 'end n/champion=5']);
    open();
    await applied;
    expect(events.slice(3)).toEqual(['end m/champion=2', 'start m/challenger=null', 'end m/challenger=null']);
  });

  it('applies only the last change of an alias within a batch, in its place', async () => {
    const calls: string[] = [];
    const { deliver } = await listening({ aliasChanged: async (modelName, alias, version) => void calls.push(`${modelName}/${alias}=${version}`) });
    await deliver([
      ['m', 'champion', 2],
      ['m', 'challenger', null],
      ['m', 'champion', 3],
    ]);
    expect(calls).toEqual(['m/challenger=null', 'm/champion=3']);
  });

  it('hot-swaps under a stream of requests with none failing: aliases exchanging versions, a new challenger, a promotion', async () => {
    const models = new InMemoryModels().register('m', [1, 2, 3], { champion: 1, challenger: 2 });
    const catalog = catalogOver(models, { batching: { maxQueuedRows: 100_000 } });
    // Features arrive after a while, so requests hold the version they resolved across the swaps.
    const online = new FakeOnlineFeatures(new Map([['cust-1', [250, 1]]]));
    const features = { read: async (ids: readonly string[], columns: readonly unknown[]) => (await sleep(Math.random() * 3), online.read(ids, columns)) };
    const log = new PredictionLog(new RecordingSender(), { capacity: 1_000_000, sendBatch: 1_000, retryMs: 10 });
    const predictor = new Predictor({ catalog, features, experiments: new FakeExperimentDirectory(), log, topics: { predictions: 'p', exposures: 'e' }, maxBatchInstances: 10 });
    const { deliver } = await listening(catalog);

    let running = true;
    let challengerServed = true;
    const failures: string[] = [];
    const served = new Map<string, Set<number>>();
    const request = async (target: ModelTarget, label: string) => {
      try {
        const { predictions } = await predictor.predict({ target, instances: [{ entityId: 'cust-1', features: {} }], requestId: '', experimentKey: '', deadlineMs: Date.now() + 5_000, batch: false });
        served.set(label, (served.get(label) ?? new Set()).add(predictions[0]?.modelVersion ?? 0));
      } catch (error) {
        failures.push(`${label}: ${String(error)}`);
      }
    };
    const worker = async (i: number) => {
      while (running) {
        if (i % 3 === 0) await request({ modelName: 'm', alias: 'champion' }, 'champion');
        else if (i % 3 === 1 && challengerServed) await request({ modelName: 'm', alias: 'challenger' }, 'challenger');
        else await request({ modelName: 'm', version: 1 }, 'pinned v1');
      }
    };
    const workers = Array.from({ length: 12 }, (_, i) => worker(i));
    await sleep(30);
    models.register('m', [1, 2, 3], { champion: 2, challenger: 1 });
    await deliver([
      ['m', 'champion', 2],
      ['m', 'challenger', 1],
    ]);
    await sleep(30);
    models.register('m', [1, 2, 3], { champion: 2, challenger: 3 });
    await deliver([['m', 'challenger', 3]]);
    await sleep(30);
    // The retraining runner's promotion: champion = the challenger's version, then the challenger goes.
    challengerServed = false;
    await sleep(10);
    models.aliases.delete('m@challenger');
    models.register('m', [1, 2, 3], { champion: 3 });
    await deliver([
      ['m', 'champion', 3],
      ['m', 'challenger', null],
    ]);
    await sleep(30);
    running = false;
    await Promise.all(workers);
    await sleep(100);

    expect(failures).toEqual([]);
    expect([...(served.get('champion') ?? [])].sort()).toEqual([1, 2, 3]);
    expect([...(served.get('challenger') ?? [])].sort()).toEqual([1, 2, 3]);
    expect(catalog.servedVersion('m', 'champion')).toBe(3);
    // v2 went once nothing used it; v1 is still pinned by recent requests.
    expect(models.loaded.filter((model) => model.disposed).map((model) => model.version)).toEqual([2]);
    await log.close(1_000);
  });
});
