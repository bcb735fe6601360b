import { dateFromTimestamp, grpcNest } from '@kuroshio/contracts';
import { DomainError } from '@kuroshio/service-kit';
import { describe, expect, it } from 'vitest';
import { FakeRetrainingPlatform } from '../testing/fake-retraining-platform.js';
import { policyProto } from '../testing/retraining-fixtures.js';
import type { DriftReference } from './drift-reference.js';
import type { ExperimentAnalysis } from './promotion-decision.js';
import { retrainingPolicyFromProto } from './retraining-policy.js';
import { RetrainingRunner } from './retraining-runner.js';

const DAY = 86_400_000;
const policy = retrainingPolicyFromProto(policyProto());
const KEY = 'retrain-upsell-v2';

function setUp(championVersion: number | null = 1) {
  const platform = new FakeRetrainingPlatform(championVersion);
  platform.trainingEndMs = platform.now - 30 * DAY;
  let id = 0;
  const runner = new RetrainingRunner({ ...platform.deps, newId: () => `id-${++id}` });
  return { platform, runner };
}

/** A challenger v2 in a running experiment against champion v1. */
async function launched() {
  const { platform, runner } = setUp();
  platform.anchorsSince = 600;
  const run = await runner.run(policy);
  expect(run.outcome).toBe('challenger_launched');
  platform.changes.length = 0;
  platform.log.length = 0;
  return { platform, runner };
}

function analysis(overrides: Partial<ExperimentAnalysis> = {}, primary: 'improved' | 'inconclusive' | 'degraded' = 'improved', guardrail: 'improved' | 'inconclusive' | 'degraded' = 'inconclusive'): ExperimentAnalysis {
  return {
    units: { champion: 1_500, challenger: 1_480 },
    sampleRatio: { mismatch: false, pValue: 0.6 },
    anomalousUnits: { unknownVariant: 0, multipleVariants: 0 },
    metrics: [
      { key: 'upgraded_7d', outcome: primary, adjustedPValue: primary === 'inconclusive' ? 0.4 : 0.001, absoluteLift: 0.03, relativeLift: 0.25 },
      { key: 'complaints', outcome: guardrail, adjustedPValue: guardrail === 'inconclusive' ? 0.7 : 0.002, absoluteLift: 0.01, relativeLift: 0.5 },
    ],
    ...overrides,
  };
}

describe('retraining run: triggers and launch', () => {
  it('refuses a model without a champion, and logs the failed run', async () => {
    const { platform, runner } = setUp(null);
    const error = await runner.run(policy).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'no_champion' });
    expect(platform.log.map((e) => e.step)).toEqual(['run_failed']);
    expect(platform.trainedSpecs).toHaveLength(0);
  });

  it('does nothing when no trigger fires, but logs every trigger and why', async () => {
    const { platform, runner } = setUp();
    platform.addVersion(1, platform.now - 2 * DAY);
    platform.anchorsSince = 499;
    const run = await runner.run(policy);
    expect(run.outcome).toBe('no_trigger');
    expect(run.triggers.map((t) => [t.trigger, t.evaluated, t.fired])).toEqual([
      ['schedule', true, false],
      ['data_volume', true, false],
      ['feature_drift', false, false],
      ['score_drift', false, false],
    ]);
    expect(run.triggers[2]!.detail).toContain('no drift reference');
    expect(platform.trainedSpecs).toHaveLength(0);
    expect(platform.changes).toEqual([]);
    expect(platform.log).toMatchObject([{ step: 'triggers_checked', decision: 'none', actor: 'retraining', championVersion: 1 }]);
  });

  it('on new labelled data trains a challenger on the recent window, aliases it and starts champion vs challenger', async () => {
    const { platform, runner } = setUp();
    platform.addVersion(1, platform.now - 2 * DAY);
    platform.anchorsSince = 500;
    const run = await runner.run(policy);
    expect(run).toMatchObject({ outcome: 'challenger_launched', championVersion: 1, challengerVersion: 2, trainingJobId: 'job-1', experimentKey: KEY });
    expect(run.triggers.find((t) => t.trigger === 'data_volume')).toMatchObject({ fired: true, value: 500, threshold: 500 });

    const spec = platform.trainedSpecs[0]!;
    expect(spec).toMatchObject({ modelName: 'upsell', registerVersion: true, seed: 7 });
    expect(dateFromTimestamp(spec.timeRange!.startTime!).getTime()).toBe(platform.now - 90 * DAY);
    expect(dateFromTimestamp(spec.timeRange!.endTime!).getTime()).toBe(platform.now);
    expect(spec.description).toContain('data_volume');

    expect(platform.changes.map((c) => [c.action, c.target])).toEqual([
      ['train', 'retraining-id-1'],
      ['set', 'challenger=v2'],
      ['create', KEY],
      ['start', KEY],
    ]);
    expect(platform.changes[1]!.reason).toContain(`compared with champion v1 in experiment ${KEY}`);
    const definition = platform.experimentMap.get(KEY)!.definition;
    expect(definition.variants).toMatchObject([
      { key: 'champion', control: true, weight: 50, model: { modelName: 'upsell', version: 1 } },
      { key: 'challenger', control: false, weight: 50, model: { modelName: 'upsell', version: 2 } },
    ]);
    expect(definition).toMatchObject({ salt: KEY, unit: 'customer', owner: 'retraining' });
    expect(definition.metrics.map((m) => m.key)).toEqual(['upgraded_7d', 'complaints']);
    expect(platform.log.map((e) => [e.step, e.decision])).toEqual([
      ['triggers_checked', 'retrain'],
      ['challenger_trained', ''],
      ['challenger_aliased', ''],
      ['experiment_started', ''],
    ]);
    expect(new Set(platform.log.map((e) => e.runId))).toEqual(new Set([run.runId]));
    expect(platform.log.map((e) => e.stepNumber)).toEqual([1, 2, 3, 4]);
  });

  it('fires on feature drift measured as PSI of the online values against the training deciles', async () => {
    const { platform, runner } = setUp();
    platform.addVersion(1, platform.now - 2 * DAY);
    const reference: DriftReference = {
      bins: 10,
      features: [{ featureView: 'usage', feature: 'data_mb_30d', version: 1, column: 'usage__data_mb_30d', cutPoints: [10, 20, 30, 40, 50, 60, 70, 80, 90], counts: new Array(10).fill(100), missing: 0 }],
      score: { cutPoints: [0.5], counts: [500, 500], missing: 0 },
    };
    platform.driftReferenceValue = reference;
    platform.servedEntityIds = Array.from({ length: 200 }, (_, i) => `c${i}`);
    platform.servedScoreValues = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 0.25 : 0.75));
    // Every recent customer uses more than any training customer did: all in the top decile.
    platform.onlineValues = (entity) => 1_000 + Number(entity.slice(1));
    const run = await runner.run(policy);
    const drift = run.triggers.find((t) => t.trigger === 'feature_drift')!;
    expect(drift.fired).toBe(true);
    // 9 bins at 0.1 → 1e-4 and one at 0.1 → 1: 9·(0.1 − 1e-4)·ln(1000) + 0.9·ln(10).
    expect(drift.drift[0]!.psi).toBeCloseTo(9 * (0.1 - 1e-4) * Math.log(1000) + 0.9 * Math.log(10), 10);
    expect(drift.drift[0]).toMatchObject({ name: 'usage:data_mb_30d', referenceCount: 1_000, recentCount: 200 });
    const score = run.triggers.find((t) => t.trigger === 'score_drift')!;
    expect(score).toMatchObject({ evaluated: true, fired: false, value: 0 });
    expect(run.outcome).toBe('challenger_launched');
    expect(platform.log[0]!.details).toMatchObject({ triggers: expect.arrayContaining([expect.objectContaining({ trigger: 'feature_drift', fired: true })]) });
  });

  it('reports a failed training job and changes nothing else', async () => {
    const { platform, runner } = setUp();
    platform.anchorsSince = 10_000;
    platform.trainingOutcome = 'failed';
    const run = await runner.run(policy);
    expect(run).toMatchObject({ outcome: 'training_failed', challengerVersion: 0, trainingJobId: 'job-1' });
    expect(run.reasons[0]).toContain('export failed');
    expect(platform.changes.map((c) => c.action)).toEqual(['train']);
    expect(platform.aliasMap.has('challenger')).toBe(false);
    expect(platform.log.map((e) => e.step)).toEqual(['triggers_checked', 'training_failed']);
  });

  it('serialises runs of one model: a second call sees the first one’s challenger instead of training again', async () => {
    const { platform, runner } = setUp();
    platform.anchorsSince = 10_000;
    platform.analysisResult = analysis({ units: { champion: 10, challenger: 12 } });
    const [first, second] = await Promise.all([runner.run(policy), runner.run(policy)]);
    expect(first.outcome).toBe('challenger_launched');
    expect(second.outcome).toBe('experiment_running');
    expect(platform.trainedSpecs).toHaveLength(1);
  });
});

describe('retraining run: deciding on a running experiment', () => {
  it('waits while the planned sample is not reached', async () => {
    const { platform, runner } = await launched();
    platform.analysisResult = analysis({ units: { champion: 900, challenger: 950 } });
    const run = await runner.run(policy);
    expect(run.outcome).toBe('experiment_running');
    expect(run.reasons[0]).toContain('900');
    expect(platform.changes).toEqual([]);
    expect(platform.log).toMatchObject([{ step: 'analysis_read', decision: 'wait', experimentKey: KEY, challengerVersion: 2 }]);
  });

  it('promotes a significantly better challenger: champion moved with the expected version, challenger alias removed, experiment stopped', async () => {
    const { platform, runner } = await launched();
    platform.analysisResult = analysis();
    const run = await runner.run(policy);
    expect(run).toMatchObject({ outcome: 'challenger_promoted', championVersion: 2, challengerVersion: 2, experimentKey: KEY });
    expect(platform.aliasMap.get('champion')).toBe(2);
    expect(platform.aliasMap.has('challenger')).toBe(false);
    expect(platform.archived.size).toBe(0);
    expect(platform.changes.map((c) => [c.action, c.target])).toEqual([
      ['set', 'champion=v2'],
      ['stop', KEY],
      ['delete', 'challenger'],
    ]);
    expect(platform.changes[0]!.reason).toMatch(/won experiment retrain-upsell-v2: primary metric upgraded_7d improved significantly \(relative lift \+25\.00 %, adjusted p = 0\.001 < 0\.05\)/);
    expect(platform.log.map((e) => [e.step, e.decision])).toEqual([
      ['analysis_read', 'promote'],
      ['champion_promoted', 'promote'],
    ]);
    expect(platform.log[1]).toMatchObject({ championVersion: 2, details: { previousChampion: 1 } });
  });

  it.each([
    ['a guardrail got worse', analysis({}, 'improved', 'degraded'), /guardrail complaints got significantly worse/],
    ['the primary metric did not improve', analysis({}, 'inconclusive'), /primary metric upgraded_7d did not improve significantly/],
    ['the split is broken', analysis({ sampleRatio: { mismatch: true, pValue: 1e-6 } }), /sample-ratio mismatch/],
  ])('retires the challenger when %s: experiment stopped, alias removed, version archived, champion kept', async (_name, result, why) => {
    const { platform, runner } = await launched();
    platform.analysisResult = result;
    const run = await runner.run(policy);
    expect(run).toMatchObject({ outcome: 'challenger_retired', championVersion: 1, challengerVersion: 2 });
    expect(run.reasons.join(' ')).toMatch(why);
    expect(platform.aliasMap.get('champion')).toBe(1);
    expect(platform.aliasMap.has('challenger')).toBe(false);
    expect(platform.archived).toEqual(new Set([2]));
    expect(platform.changes.map((c) => [c.action, c.target])).toEqual([
      ['stop', KEY],
      ['delete', 'challenger'],
      ['archive', 'v2'],
    ]);
    for (const change of platform.changes) expect(change.reason).toMatch(why);
    expect(platform.log.map((e) => [e.step, e.decision])).toEqual([
      ['analysis_read', 'retire'],
      ['challenger_retired', 'retire'],
    ]);
  });

  it('retires rather than promotes when the champion moved between the decision and the alias move', async () => {
    const { platform, runner } = await launched();
    platform.analysisResult = analysis();
    platform.conflictNext = true;
    const run = await runner.run(policy);
    expect(run.outcome).toBe('challenger_retired');
    expect(run.reasons[0]).toMatch(/champion moved while promoting/);
    expect(platform.aliasMap.get('champion')).toBe(1);
  });

  it('retires when the champion was moved by hand during the experiment', async () => {
    const { platform, runner } = await launched();
    platform.addVersion(3, platform.now);
    platform.aliasMap.set('champion', 3);
    const run = await runner.run(policy);
    expect(run.outcome).toBe('challenger_retired');
    expect(run.reasons[0]).toMatch(/champion moved from v1 to v3 during the experiment/);
    expect(platform.aliasMap.get('champion')).toBe(3);
  });

  it('resumes an interrupted launch: a challenger alias without an experiment gets its experiment', async () => {
    const { platform, runner } = setUp();
    platform.addVersion(2, platform.now);
    platform.aliasMap.set('challenger', 2);
    const run = await runner.run(policy);
    expect(run).toMatchObject({ outcome: 'challenger_launched', experimentKey: KEY });
    expect(platform.changes.map((c) => c.action)).toEqual(['create', 'start']);
    expect(platform.trainedSpecs).toHaveLength(0);
  });

  it('finishes an interrupted promotion: champion already the challenger → experiment stopped, challenger alias removed', async () => {
    const { platform, runner } = await launched();
    platform.aliasMap.set('champion', 2);
    const run = await runner.run(policy);
    expect(run.outcome).toBe('challenger_promoted');
    expect(platform.changes.map((c) => [c.action, c.target])).toEqual([
      ['stop', KEY],
      ['delete', 'challenger'],
    ]);
    expect(platform.log.map((e) => e.step)).toEqual(['champion_promoted']);
  });

  it('retires the challenger of an experiment stopped outside the run', async () => {
    const { platform, runner } = await launched();
    await platform.experiments.stop(KEY, 'analyst stopped it');
    platform.changes.length = 0;
    const run = await runner.run(policy);
    expect(run.outcome).toBe('challenger_retired');
    expect(platform.changes.map((c) => c.action)).toEqual(['delete', 'archive']);
  });
});

describe('experiment definition', () => {
  it('pins the policy’s weights, targeting and correction settings', async () => {
    const custom = retrainingPolicyFromProto(
      policyProto({
        experiment: {
          ...policyProto().experiment!,
          championWeight: 90,
          challengerWeight: 10,
          targeting: { traitFilters: [], trafficFraction: 0.2 },
          owner: 'risk-models',
          correction: grpcNest.experiment.v1.MultipleTestingCorrection.MULTIPLE_TESTING_CORRECTION_BENJAMINI_HOCHBERG,
        },
      }),
    );
    const { platform, runner } = setUp();
    platform.anchorsSince = 10_000;
    await runner.run(custom);
    const definition = platform.experimentMap.get(KEY)!.definition;
    expect(definition.variants.map((v) => v.weight)).toEqual([90, 10]);
    expect(definition).toMatchObject({ owner: 'risk-models', targeting: { trafficFraction: 0.2 } });
    expect(custom.experiment.rule.correction).toBe('MULTIPLE_TESTING_CORRECTION_BENJAMINI_HOCHBERG');
  });
});
