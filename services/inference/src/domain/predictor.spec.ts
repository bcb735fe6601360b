import { featureVectorHash, modelInputBlock } from '@kuroshio/model-runtime';
import { assignVariant } from '@kuroshio/assignment';
import { describe, expect, it } from 'vitest';
import { catalogOver, FakeExperimentDirectory, FakeOnlineFeatures, InMemoryModels, RecordingSender, smallSpec } from '../testing/in-memory-serving.js';
import { ChallengerRouting } from './challenger-routing.js';
import type { ExperimentRouting } from './experiment-routing.js';
import { PredictionLog } from './prediction-log.js';
import { Predictor, type PredictionInput, type ServedGroup } from './predictor.js';

const TOPICS = { predictions: 'predictions', exposures: 'exposures' };

function setup(options: { capacity?: number; experiments?: Map<string, ExperimentRouting>; challenger?: number; observe?: (served: ServedGroup) => void } = {}) {
  const models = new InMemoryModels().register('bad-debt', [1, 2, 3], { champion: 1, ...(options.challenger === undefined ? {} : { challenger: options.challenger }) });
  const catalog = catalogOver(models);
  const sender = new RecordingSender();
  const log = new PredictionLog(sender, { capacity: options.capacity ?? 1000, sendBatch: 100, retryMs: 10 });
  const features = new FakeOnlineFeatures(new Map([['cust-1', [250, 1]]]));
  const challengers = new ChallengerRouting(models, { cacheTtlMs: 60_000 });
  const predictor = new Predictor({ catalog, features, experiments: new FakeExperimentDirectory(options.experiments), challengers, log, topics: TOPICS, maxBatchInstances: 50, ...(options.observe === undefined ? {} : { observe: options.observe }) });
  const request = (over: Partial<PredictionInput> = {}): PredictionInput => ({
    target: { modelName: 'bad-debt', alias: 'champion' },
    instances: [{ entityId: 'cust-1', features: {} }],
    requestId: 'req-1',
    experimentKey: '',
    deadlineMs: Date.now() + 5_000,
    batch: false,
    ...over,
  });
  return { models, catalog, sender, log, features, predictor, request };
}

/**
 * The fake model's score for one row of raw feature values (NaN: missing), worked out here rather
 * than asked of the model: float32(version / 10 + Σ model inputs / 1000) (FakeLoadedModel). Each
 * row's value depends on its version and its inputs, so a row answered with another's score fails.
 */
function expectedScore(version: number, numeric: readonly number[]): number {
  const { spec, normaliser } = smallSpec();
  const inputs = modelInputBlock(spec, normaliser, [{ numeric, text: null }]);
  let sum = 0;
  for (const value of inputs) sum += value;
  return Math.fround(version / 10 + sum / 1000);
}
const MISSING = [Number.NaN, Number.NaN];

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('Predictor', () => {
  it('scores an entity with online features and logs the prediction with the hash of the vector the model saw', async () => {
    const { predictor, request, sender, features } = setup();
    const { requestId, predictions } = await predictor.predict(request());
    expect(requestId).toBe('req-1');
    expect(predictions).toEqual([{ modelName: 'bad-debt', modelVersion: 1, scores: [expectedScore(1, [250, 1])], classLabels: [], experimentKey: '', variant: '', missingFeatures: [] }]);
    expect(features.calls).toEqual([['cust-1']]);
    const { spec, normaliser } = smallSpec();
    const vector = modelInputBlock(spec, normaliser, [{ numeric: [250, 1], text: null }]);
    await until(() => sender.sent.length === 1);
    expect(sender.sent[0]).toMatchObject({ topic: 'predictions', key: 'cust-1', value: { requestId: 'req-1', entityId: 'cust-1', modelVersion: 1, artifact: 'full', featureVectorHash: featureVectorHash(vector) } });
  });

  it('reports each served group with the time its feature join and its model stage took', async () => {
    const served: ServedGroup[] = [];
    const { predictor, request, features } = setup({ observe: (group) => served.push(group) });
    const read = features.read.bind(features);
    features.read = async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return read(...args);
    };
    await predictor.predict(request());
    await predictor.predict(request({ instances: [{ entityId: '', features: { 'billing:amount_sum_30d': { doubleValue: 1 }, 'billing:late_count_90d': { doubleValue: 0 } } }] }));
    expect(served).toEqual([
      { modelName: 'bad-debt', version: 1, rows: 1, featureSeconds: expect.any(Number), modelSeconds: expect.any(Number) },
      { modelName: 'bad-debt', version: 1, rows: 1, featureSeconds: expect.any(Number), modelSeconds: expect.any(Number) },
    ]);
    const [online, explicit] = served as [ServedGroup, ServedGroup];
    expect(online.featureSeconds).toBeGreaterThanOrEqual(0.025);
    expect(explicit.featureSeconds).toBeLessThan(0.025);
    expect(online.modelSeconds).toBeGreaterThan(0);
  });

  it('imputes features the store has no value for and lists them in missing_features', async () => {
    const { predictor, request } = setup();
    const { predictions } = await predictor.predict(request({ instances: [{ entityId: 'unknown-customer', features: {} }] }));
    expect(predictions[0]?.missingFeatures).toEqual(['billing:amount_sum_30d', 'billing:late_count_90d']);
  });

  it('uses explicit features as given, without calling the feature store; a value with no member is missing', async () => {
    const { predictor, request, features } = setup();
    const { predictions } = await predictor.predict(
      request({ instances: [{ entityId: '', features: { 'billing:amount_sum_30d': { doubleValue: 120 }, 'billing:late_count_90d': {} } }] }),
    );
    expect(features.calls).toEqual([]);
    expect(predictions[0]?.missingFeatures).toEqual(['billing:late_count_90d']);
  });

  it.each([
    ['an unknown feature name', { 'billing:amount_sum_30d': { doubleValue: 1 }, 'billing:late_count_90d': { int64Value: 1 }, 'nope:x': { doubleValue: 1 } }, /unknown feature\(s\) nope:x/],
    ['a feature of the spec left out', { 'billing:amount_sum_30d': { doubleValue: 1 } }, /billing:late_count_90d missing/],
    ['NaN', { 'billing:amount_sum_30d': { doubleValue: Number.NaN }, 'billing:late_count_90d': { int64Value: 1 } }, /NaN and infinities/],
    ['Infinity', { 'billing:amount_sum_30d': { doubleValue: Number.POSITIVE_INFINITY }, 'billing:late_count_90d': { int64Value: 1 } }, /NaN and infinities/],
    ['a string for a number', { 'billing:amount_sum_30d': { stringValue: '12' }, 'billing:late_count_90d': { int64Value: 1 } }, /numeric .* got a string/],
    ['a number float32 cannot hold', { 'billing:amount_sum_30d': { doubleValue: 3.5e38 }, 'billing:late_count_90d': { int64Value: 1 } }, /billing:amount_sum_30d is 3\.5e\+38: beyond the float32 range/],
    ['a negative number float32 cannot hold', { 'billing:amount_sum_30d': { doubleValue: 1 }, 'billing:late_count_90d': { doubleValue: -1e300 } }, /billing:late_count_90d is -1e\+300: beyond the float32 range/],
  ])('refuses %s with INVALID_ARGUMENT and keeps serving', async (_name, features, message) => {
    const { predictor, request } = setup();
    await expect(predictor.predict(request({ instances: [{ entityId: '', features }] }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(message) });
    await expect(predictor.predict(request())).resolves.toBeDefined();
  });

  it.each([
    ['no instance', { instances: [] }, 'INVALID_ARGUMENT', /instance is required/],
    ['an empty instance', { instances: [{ entityId: '', features: {} }] }, 'INVALID_ARGUMENT', /neither an entity_id nor features/],
    ['too many instances', { batch: true, instances: Array.from({ length: 51 }, () => ({ entityId: 'cust-1', features: {} })) }, 'INVALID_ARGUMENT', /at most 50/],
    ['a bad experiment key', { experimentKey: 'Bad Key' }, 'INVALID_ARGUMENT', /not an experiment key/],
    ['an unknown alias', { target: { modelName: 'bad-debt', alias: 'nope' } }, 'NOT_FOUND', /no bad-debt/],
    ['an unknown version', { target: { modelName: 'bad-debt', version: 9 } }, 'NOT_FOUND', /no bad-debt/],
    ['an unknown experiment', { experimentKey: 'nope' }, 'NOT_FOUND', /experiment nope does not exist/],
  ] as const)('answers %s with %s', async (_name, over, code, message) => {
    const { predictor, request } = setup();
    await expect(predictor.predict(request(over as Partial<PredictionInput>))).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
  });

  it('takes the largest float32 as a feature value', async () => {
    const { predictor, request } = setup();
    const { predictions } = await predictor.predict(request({ instances: [{ entityId: '', features: { 'billing:amount_sum_30d': { doubleValue: 3.4028234663852886e38 }, 'billing:late_count_90d': { int64Value: 1 } } }] }));
    expect(Number.isFinite(predictions[0]?.scores[0])).toBe(true);
  });

  it('never answers a non-finite score: INTERNAL naming the instances, nothing logged, and it keeps serving', async () => {
    const { predictor, request, models, sender, log } = setup();
    await predictor.predict(request());
    await until(() => sender.sent.length === 1);
    const model = models.loaded[0]!;
    const score = model.score.bind(model);
    model.score = async (inputs, rows) => (await score(inputs, rows)).map((value, row) => (row === 1 ? Number.NaN : value));
    const batch = request({ batch: true, instances: ['cust-1', 'cust-2', 'cust-3'].map((entityId) => ({ entityId, features: {} })) });
    await expect(predictor.predict(batch)).rejects.toMatchObject({ code: 'INTERNAL', reason: 'non_finite_score', message: expect.stringMatching(/bad-debt v1 gave a non-finite score \(NaN\) for instances\[1\]/) });
    expect(log.depth).toBe(0);
    model.score = score;
    await expect(predictor.predict(batch)).resolves.toBeDefined();
    await until(() => sender.sent.length === 4);
    expect(sender.sent).toHaveLength(4);
  });

  it('answers DEADLINE_EXCEEDED when the caller’s deadline has passed', async () => {
    const { predictor, request } = setup();
    await expect(predictor.predict(request({ deadlineMs: Date.now() - 1 }))).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED' });
  });

  it('names batch items <request>#<i> in the log and answers in request order', async () => {
    const { predictor, request, sender, features } = setup();
    features.values.set('cust-2', [100, 0]);
    const explicit = { 'billing:amount_sum_30d': { doubleValue: 300 }, 'billing:late_count_90d': { int64Value: 2 } };
    const { predictions } = await predictor.predict(
      request({ batch: true, requestId: 'batch-7', instances: [{ entityId: 'cust-1', features: {} }, { entityId: 'cust-2', features: {} }, { entityId: 'nobody', features: {} }, { entityId: '', features: explicit }] }),
    );
    const expected = [expectedScore(1, [250, 1]), expectedScore(1, [100, 0]), expectedScore(1, MISSING), expectedScore(1, [300, 2])];
    expect(new Set(expected).size).toBe(4);
    expect(predictions.map((p) => p.scores)).toEqual(expected.map((score) => [score]));
    await until(() => sender.sent.length === 4);
    const logged = sender.sent.map((r) => r.value as { requestId: string; entityId: string | null; scores: number[] });
    expect(logged.map((v) => [v.requestId, v.entityId, v.scores])).toEqual([
      ['batch-7#0', 'cust-1', [expected[0]]],
      ['batch-7#1', 'cust-2', [expected[1]]],
      ['batch-7#2', 'nobody', [expected[2]]],
      ['batch-7#3', null, [expected[3]]],
    ]);
  });

  it('answers concurrent requests that share a micro-batch each with its own row', async () => {
    const { predictor, request, models } = setup();
    const amounts = Array.from({ length: 12 }, (_, i) => 50 + 25 * i);
    const answers = await Promise.all(
      amounts.map((amount, i) =>
        predictor.predict(request({ requestId: `r-${i}`, instances: [{ entityId: '', features: { 'billing:amount_sum_30d': { doubleValue: amount }, 'billing:late_count_90d': { int64Value: i % 3 } } }] })),
      ),
    );
    expect(models.loaded[0]?.calls.some((rows) => rows > 1)).toBe(true);
    expect(answers.map((a) => [a.requestId, a.predictions[0]?.scores])).toEqual(amounts.map((amount, i) => [`r-${i}`, [expectedScore(1, [amount, i % 3])]]));
  });

  it('sheds requests with UNAVAILABLE while the prediction log buffer is full, rather than dropping records', async () => {
    const { predictor, request, sender } = setup({ capacity: 2 });
    sender.failing = true;
    await predictor.predict(request());
    await predictor.predict(request());
    await expect(predictor.predict(request())).rejects.toMatchObject({ code: 'UNAVAILABLE', reason: 'prediction_log_full' });
    sender.failing = false;
    await until(() => sender.sent.length === 2);
    expect(sender.sent).toHaveLength(2);
    await expect(predictor.predict(request())).resolves.toBeDefined();
  });
});

/** Champion v1 against challenger v2 of bad-debt, evenly split, running. */
const experiment = (over: Partial<ExperimentRouting> = {}): ExperimentRouting => ({
  key: 'bad-debt_challenger',
  salt: 's1',
  revision: 3,
  state: 'running',
  variants: [
    { name: 'champion', weight: 1, model: { modelName: 'bad-debt', version: 1 } },
    { name: 'challenger', weight: 1, model: { modelName: 'bad-debt', version: 2 } },
  ],
  trafficFraction: 1,
  targetsByTraits: false,
  ...over,
});

describe('Predictor routing by experiment (fake directory)', () => {
  const units = Array.from({ length: 40 }, (_, i) => `cust-${i}`);

  it('serves each entity the version of the variant libs/assignment gives it, and records an exposure', async () => {
    const { predictor, request, sender } = setup({ experiments: new Map([['bad-debt_challenger', experiment()]]) });
    const { predictions } = await predictor.predict(request({ batch: true, experimentKey: 'bad-debt_challenger', instances: units.map((entityId) => ({ entityId, features: {} })) }));
    predictions.forEach((prediction, i) => {
      const variant = assignVariant({ key: 'bad-debt_challenger', salt: 's1', variants: [{ name: 'champion', weight: 1 }, { name: 'challenger', weight: 1 }] }, units[i]!);
      const version = variant === 'champion' ? 1 : 2;
      expect(prediction).toMatchObject({ experimentKey: 'bad-debt_challenger', variant, modelVersion: version, scores: [expectedScore(version, units[i] === 'cust-1' ? [250, 1] : MISSING)] });
    });
    expect(new Set(predictions.map((p) => p.variant))).toEqual(new Set(['champion', 'challenger']));
    await until(() => sender.sent.length === 80);
    const exposures = sender.sent.filter((r) => r.topic === 'exposures');
    expect(exposures).toHaveLength(40);
    expect(exposures[0]?.value).toMatchObject({ experimentKey: 'bad-debt_challenger', revision: 3, recordedBy: 'inference', requestId: expect.stringMatching(/^req-1#/) });
  });

  it.each([
    ['is not running', experiment({ state: 'stopped' })],
    ['targets by traits', experiment({ targetsByTraits: true })],
    ['has no traffic', experiment({ trafficFraction: 0 })],
  ])('leaves the requested model in place and records no exposure when the experiment %s', async (_name, routing) => {
    const { predictor, request, sender } = setup({ experiments: new Map([['bad-debt_challenger', routing]]) });
    const { predictions } = await predictor.predict(request({ experimentKey: 'bad-debt_challenger' }));
    expect(predictions[0]).toMatchObject({ modelVersion: 1, experimentKey: '', variant: '' });
    await until(() => sender.sent.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sender.sent.map((r) => r.topic)).toEqual(['predictions']);
  });

  it('keeps the requested model for a variant without one, but reports the variant', async () => {
    const routing = experiment({ variants: [{ name: 'control', weight: 1, model: null }] });
    const { predictor, request } = setup({ experiments: new Map([['bad-debt_challenger', routing]]) });
    const { predictions } = await predictor.predict(request({ experimentKey: 'bad-debt_challenger' }));
    expect(predictions[0]).toMatchObject({ modelVersion: 1, experimentKey: 'bad-debt_challenger', variant: 'control' });
  });
});

describe('Predictor routing a champion by its challenger\'s retraining experiment', () => {
  const retraining = (over: Partial<ExperimentRouting> = {}): ExperimentRouting => experiment({ key: 'retrain-bad-debt-v2', salt: 'retrain-bad-debt-v2', revision: 1, ...over });
  const units = Array.from({ length: 40 }, (_, i) => `cust-${i}`);
  const batchOf = (entityIds: readonly string[]) => entityIds.map((entityId) => ({ entityId, features: {} }));

  it('routes requests for the champion alias that name no experiment, and records their exposures', async () => {
    const { predictor, request, sender } = setup({ challenger: 2, experiments: new Map([['retrain-bad-debt-v2', retraining()]]) });
    const { predictions } = await predictor.predict(request({ batch: true, instances: batchOf(units) }));
    predictions.forEach((prediction, i) => {
      const variant = assignVariant({ key: 'retrain-bad-debt-v2', salt: 'retrain-bad-debt-v2', variants: [{ name: 'champion', weight: 1 }, { name: 'challenger', weight: 1 }] }, units[i] as string);
      expect(prediction).toMatchObject({ experimentKey: 'retrain-bad-debt-v2', variant, modelVersion: variant === 'champion' ? 1 : 2 });
    });
    expect(new Set(predictions.map((p) => p.modelVersion))).toEqual(new Set([1, 2]));
    await until(() => sender.sent.length === 80);
    expect(sender.sent.filter((r) => r.topic === 'exposures')).toHaveLength(40);
  });

  it.each([
    ['a pinned version', { target: { modelName: 'bad-debt', version: 1 } }],
    ['another alias', { target: { modelName: 'bad-debt', alias: 'staging' } }],
  ])('leaves requests for %s alone', async (_name, over) => {
    const { predictor, request, models } = setup({ challenger: 2, experiments: new Map([['retrain-bad-debt-v2', retraining()]]) });
    models.aliases.set('bad-debt@staging', 1);
    const { predictions } = await predictor.predict(request({ batch: true, instances: batchOf(units), ...over }));
    expect(predictions.every((p) => p.modelVersion === 1 && p.experimentKey === '' && p.variant === '')).toBe(true);
  });

  it('lets an experiment named in the request win over the challenger\'s', async () => {
    const own = retraining({ key: 'own-test', salt: 'own', variants: [{ name: 'control', weight: 1, model: null }] });
    const { predictor, request } = setup({ challenger: 2, experiments: new Map([['retrain-bad-debt-v2', retraining()], ['own-test', own]]) });
    const { predictions } = await predictor.predict(request({ experimentKey: 'own-test' }));
    expect(predictions[0]).toMatchObject({ experimentKey: 'own-test', variant: 'control', modelVersion: 1 });
  });

  it.each([
    ['there is no challenger alias', { experiments: new Map([['retrain-bad-debt-v2', retraining()]]) }],
    ['the challenger has no experiment yet', { challenger: 2, experiments: new Map<string, ExperimentRouting>() }],
    ['its experiment was stopped', { challenger: 2, experiments: new Map([['retrain-bad-debt-v2', retraining({ state: 'stopped' })]]) }],
  ])('serves the champion alone, without exposures, when %s', async (_name, options) => {
    const { predictor, request, sender } = setup(options);
    const { predictions } = await predictor.predict(request({ batch: true, instances: batchOf(units) }));
    expect(predictions.every((p) => p.modelVersion === 1 && p.variant === '')).toBe(true);
    await until(() => sender.sent.length === 40);
    expect(sender.sent.filter((r) => r.topic === 'exposures')).toHaveLength(0);
  });
});

