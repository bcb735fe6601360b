import { credentials, Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { EXPERIMENT_KEY_PATTERN, grpcJs, timestampFromDate } from '@kuroshio/contracts';
import { waitFor } from '@kuroshio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warehouseRows } from './ingest-warehouse.js';
import { DAY, FEATURE_VIEWS_YAML, plantOfferHistory, plantOutcomes, plantPredictions, publishRecentUsage } from './retraining-data.js';
import { grpcAddress, startRetrainingPlatform, type RetrainingPlatform } from './retraining-platform.js';

/**
 * Issue 6's continuous retraining on real processes (model registry, experiment service, feature
 * store, trainer) over the real Kafka, ClickHouse and S3: the trainer's configured policy finds no
 * trigger; new labelled data triggers a challenger, trained through the feature store, aliased and put
 * in an experiment against the champion; the analysis of planted outcomes promotes it. Then drift (PSI
 * of the online features of the customers the champion scored) triggers another challenger, whose
 * experiment shows no gain and a guardrail harmed: it is kept out. While a challenger is out,
 * inference routes requests for the champion by its experiment without the caller naming it. Every
 * step is checked in the registry's and the experiment service's change logs and the retraining log
 * in ClickHouse.
 */
const MODEL = 'e2e-upsell';
const T = grpcJs.trainer.v1;
const Outcome = T.RetrainingOutcome;

const POLICIES_YAML = `
policies:
  - modelName: ${MODEL}
    training:
      features:
        - { featureView: rt_usage, feature: usage_mb_sum_30d }
        - { featureView: rt_usage, feature: usage_count_30d }
      labels:
        eventLabel: { anchorEvent: Plan Offer, outcomeEvent: Plan Upgrade, outcomeWindow: 7d, positiveWhen: LABEL_POLARITY_OUTCOME_PRESENT }
      modelFamily: MODEL_FAMILY_LOGISTIC_REGRESSION
      hyperparameters: { epochs: 15, batchSize: 64, learningRate: 0.05 }
      seed: 5
    trainingWindow: 200d
    triggers:
      minNewLabelledRows: 300
      drift: { psiThreshold: 0.2, window: 1d, minSample: 100, maxEntities: 300, includeScores: true }
    experiment:
      metrics:
        - { key: upgraded_7d, kind: METRIC_KIND_CONVERSION, event: Plan Upgrade, window: 7d, role: METRIC_ROLE_PRIMARY, direction: IMPROVEMENT_DIRECTION_INCREASE }
        - { key: complaints_7d, kind: METRIC_KIND_COUNT, event: Complaint, window: 7d, role: METRIC_ROLE_GUARDRAIL, direction: IMPROVEMENT_DIRECTION_DECREASE }
      minUnitsPerVariant: 400
      minDuration: 0s
      maxDuration: 30d
      owner: growth-models
`;

type Callback<R> = (error: ServiceError | null, reply: R) => void;

function unary<R>(invoke: (metadata: Metadata, options: { deadline: Date }, callback: Callback<R>) => unknown, deadlineMs = 30_000): Promise<R> {
  const metadata = new Metadata();
  metadata.set('x-kuroshio-actor', 'e2e-operator');
  return new Promise((resolve, reject) => invoke(metadata, { deadline: new Date(Date.now() + deadlineMs) }, (error, reply) => (error ? reject(error) : resolve(reply))));
}

describe('continuous retraining: challenger promoted when better, kept out when not', () => {
  const now = Date.now();
  let platform: RetrainingPlatform;
  let trainer: grpcJs.trainer.v1.TrainerServiceClient;
  let registry: grpcJs.registry.v1.ModelRegistryClient;
  let experiments: grpcJs.experiment.v1.ExperimentServiceClient;
  let features: grpcJs.features.v1.FeatureServiceClient;
  let inference: grpcJs.inference.v1.InferenceServiceClient;
  const runs: grpcJs.trainer.v1.RetrainingRun[] = [];

  const retrain = async () => {
    const { run } = await unary<grpcJs.trainer.v1.RunRetrainingCycleResponse>((m, o, cb) => trainer.runRetrainingCycle({ modelName: MODEL }, m, o, cb), 300_000);
    runs.push(run!);
    return run!;
  };
  const aliases = async () => {
    const { model } = await unary<grpcJs.registry.v1.GetModelResponse>((m, o, cb) => registry.getModel({ name: MODEL }, m, o, cb));
    return Object.fromEntries(model!.aliases.map((a) => [a.alias, a.version]));
  };
  const experiment = async (key: string) => (await unary<grpcJs.experiment.v1.GetExperimentResponse>((m, o, cb) => experiments.getExperiment({ key }, m, o, cb))).experiment!;
  const failWithLogs = (error: unknown): never => {
    throw new Error(`${(error as Error).message}\n${platform?.logs()}`, { cause: error });
  };

  /** Assigns units through the experiment service (recording exposures, as serving does) and waits until the sink landed them. */
  async function expose(key: string, prefix: string, units: number): Promise<Record<string, string[]>> {
    const ids = Array.from({ length: units }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);
    const arms: Record<string, string[]> = { champion: [], challenger: [] };
    for (let i = 0; i < ids.length; i += 50) {
      const replies = await Promise.all(
        ids.slice(i, i + 50).map((unitId) => unary<grpcJs.experiment.v1.AssignResponse>((m, o, cb) => experiments.assign({ experimentKey: key, unitId, recordExposure: true }, m, o, cb))),
      );
      for (const reply of replies) arms[reply.variant]!.push(reply.unitId);
    }
    // Keys match EXPERIMENT_KEY_PATTERN (letters, digits, - and _): safe inside a quoted literal.
    expect(key).toMatch(EXPERIMENT_KEY_PATTERN);
    await waitFor(
      async () => Number((await warehouseRows<{ n: string }>(platform.database, `SELECT count() AS n FROM exposures WHERE experiment_key = '${key}'`))[0]?.n) === units,
      { timeoutMs: 60_000, intervalMs: 500, description: `${units} exposures of ${key} in ClickHouse` },
    );
    return arms;
  }
  const every = (units: readonly string[], n: number) => units.filter((_, i) => i % n === 0);

  beforeAll(async () => {
    platform = await startRetrainingPlatform({ featureViews: FEATURE_VIEWS_YAML, policies: POLICIES_YAML });
    trainer = new T.TrainerServiceClient(grpcAddress('trainer'), credentials.createInsecure());
    registry = new grpcJs.registry.v1.ModelRegistryClient(grpcAddress('model-registry'), credentials.createInsecure());
    experiments = new grpcJs.experiment.v1.ExperimentServiceClient(grpcAddress('experiment'), credentials.createInsecure());
    features = new grpcJs.features.v1.FeatureServiceClient(grpcAddress('feature-store'), credentials.createInsecure());
    inference = new grpcJs.inference.v1.InferenceServiceClient(grpcAddress('inference'), credentials.createInsecure());
    try {
      // Offers between 150 and 50 days ago; the first champion is trained on them by hand.
      await plantOfferHistory(platform.database, { prefix: 'old-', customers: 500, fromMs: now - 150 * DAY, toMs: now - 50 * DAY, seed: 11 });
      const { job } = await unary<grpcJs.trainer.v1.SubmitTrainingJobResponse>((m, o, cb) =>
        trainer.submitTrainingJob(
          T.SubmitTrainingJobRequest.fromPartial({
            requestId: `${platform.slug}-champion`,
            spec: {
              modelName: MODEL,
              features: [
                { featureView: 'rt_usage', feature: 'usage_mb_sum_30d' },
                { featureView: 'rt_usage', feature: 'usage_count_30d' },
              ],
              labels: { eventLabel: { anchorEvent: 'Plan Offer', outcomeEvent: 'Plan Upgrade', outcomeWindow: { seconds: 7 * 86_400, nanos: 0 }, positiveWhen: grpcJs.features.v1.LabelPolarity.LABEL_POLARITY_OUTCOME_PRESENT } },
              timeRange: { startTime: timestampFromDate(new Date(now - 160 * DAY)), endTime: timestampFromDate(new Date(now - 45 * DAY)) },
              modelFamily: T.ModelFamily.MODEL_FAMILY_LOGISTIC_REGRESSION,
              hyperparameters: { epochs: 15, batchSize: 64, learningRate: 0.05 },
              seed: 5,
              registerVersion: true,
              description: 'first champion, trained by hand',
            },
          }),
          m,
          o,
          cb,
        ),
      );
      const done = await waitFor(
        async () => {
          const reply = await unary<grpcJs.trainer.v1.GetTrainingJobResponse>((m, o, cb) => trainer.getTrainingJob({ jobId: job!.jobId }, m, o, cb));
          return [T.JobState.JOB_STATE_SUCCEEDED, T.JobState.JOB_STATE_FAILED].includes(reply.job!.state) ? reply.job : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 250, description: 'the first champion’s training job' },
      );
      expect(done!.errorMessage).toBe('');
      await unary((m, o, cb) => registry.setAlias({ modelName: MODEL, alias: 'champion', version: done!.result!.modelVersion, reason: 'first model, promoted by hand' }, m, o, cb));
    } catch (error) {
      failWithLogs(error);
    }
  }, 300_000);

  afterAll(async () => {
    if (platform === undefined) return;
    const { jobs } = await unary<grpcJs.trainer.v1.ListTrainingJobsResponse>((m, o, cb) => trainer.listTrainingJobs(T.ListTrainingJobsRequest.fromPartial({ modelName: MODEL }), m, o, cb)).catch(() => ({ jobs: [] }));
    for (const client of [trainer, registry, experiments, features, inference] as Client[]) client?.close();
    const codes = await platform.stop({
      lake: jobs.map((job) => job.result?.trainingSetExportId).filter((id): id is string => Boolean(id)).map((id) => `training-sets/${id}/`),
      models: jobs.map((job) => `models/${MODEL}/${job.jobId}/`),
    });
    expect(codes).toEqual({ 'feature-store': 0, trainer: 0, 'model-registry': 0, inference: 0, experiment: 0 });
  }, 120_000);

  it('finds no trigger while nothing changed: nothing is trained, and the check is logged', async () => {
    const run = await retrain();
    expect(run.outcome).toBe(Outcome.RETRAINING_OUTCOME_NO_TRIGGER);
    expect(run.championVersion).toBe(1);
    expect(run.triggers.map((t) => [t.trigger, t.evaluated, t.fired])).toEqual([
      ['data_volume', true, false],
      ['feature_drift', false, false],
      ['score_drift', false, false],
    ]);
    expect(run.triggers[0]!.value).toBe(0);
    expect(run.triggers[1]!.detail).toMatch(/only 0 entities served by v1/);
    expect(await aliases()).toEqual({ champion: 1 });
  });

  it('trains a challenger on new labelled data, aliases it and starts champion against challenger', async () => {
    await plantOfferHistory(platform.database, { prefix: 'new-', customers: 400, fromMs: now - 40 * DAY, toMs: now - 10 * DAY, seed: 12 });
    const run = await retrain().catch(failWithLogs);
    expect(run.reasons.join('; ')).not.toBe('');
    expect(run).toMatchObject({ outcome: Outcome.RETRAINING_OUTCOME_CHALLENGER_LAUNCHED, championVersion: 1, challengerVersion: 2, experimentKey: `retrain-${MODEL}-v2` });
    expect(run.triggers[0]).toMatchObject({ trigger: 'data_volume', fired: true, value: 400, threshold: 300 });
    expect(await aliases()).toEqual({ champion: 1, challenger: 2 });

    const { job } = await unary<grpcJs.trainer.v1.GetTrainingJobResponse>((m, o, cb) => trainer.getTrainingJob({ jobId: run.trainingJobId }, m, o, cb));
    expect(job).toMatchObject({ createdBy: 'retraining', state: T.JobState.JOB_STATE_SUCCEEDED });
    expect(job!.result!.lineage!.datasetUri).toMatch(/^s3:\/\/.+\/training-sets\/.+\/manifest\.json$/);
    // Trained on the policy's window up to now: the new offers are in it.
    expect(Number(job!.spec!.timeRange!.endTime!.seconds) * 1000).toBeGreaterThanOrEqual(now - 1_000);

    const started = await experiment(run.experimentKey);
    expect(started).toMatchObject({ state: grpcJs.experiment.v1.ExperimentState.EXPERIMENT_STATE_RUNNING, createdBy: 'retraining', owner: 'growth-models', salt: run.experimentKey });
    expect(started.variants.map((v) => [v.key, v.control, v.model?.version])).toEqual([
      ['champion', true, 1],
      ['challenger', false, 2],
    ]);
  });

  it("inference routes the champion's traffic by the challenger's experiment, without the caller naming it", async () => {
    const key = `retrain-${MODEL}-v2`;
    const instances = Array.from({ length: 40 }, (_, i) => ({ entityId: `routed-${i}` }));
    // The first request loads both versions from S3; UNAVAILABLE until they are warm.
    const champion = await waitFor(
      () =>
        unary<grpcJs.inference.v1.PredictBatchResponse>((m, o, cb) => inference.predictBatch(grpcJs.inference.v1.PredictBatchRequest.fromPartial({ model: { modelName: MODEL, alias: 'champion' }, instances }), m, o, cb)).catch((error: ServiceError) =>
          error.code === status.UNAVAILABLE ? undefined : failWithLogs(error),
        ),
      { timeoutMs: 60_000, intervalMs: 500, description: 'inference serving the champion' },
    );
    for (const p of champion.predictions) {
      expect(p.experimentKey).toBe(key);
      expect(p.modelVersion).toBe(p.variant === 'champion' ? 1 : 2);
    }
    expect(new Set(champion.predictions.map((p) => p.variant))).toEqual(new Set(['champion', 'challenger']));
    // The challenger addressed by its own alias is served as asked.
    const challenger = await unary<grpcJs.inference.v1.PredictBatchResponse>((m, o, cb) => inference.predictBatch(grpcJs.inference.v1.PredictBatchRequest.fromPartial({ model: { modelName: MODEL, alias: 'challenger' }, instances }), m, o, cb));
    expect(challenger.predictions.every((p) => p.modelVersion === 2 && p.experimentKey === '')).toBe(true);
  });

  it('waits while the experiment has not reached its planned sample', async () => {
    const run = await retrain();
    expect(run.outcome).toBe(Outcome.RETRAINING_OUTCOME_EXPERIMENT_RUNNING);
    expect(run.reasons[0]).toMatch(/^not yet conclusive: champion 0 and challenger 0 units of 400 planned per arm/);
    expect(await aliases()).toEqual({ champion: 1, challenger: 2 });
  });

  it('promotes the challenger when the analysis shows a significant improvement, no guardrail harm and no SRM', async () => {
    const key = `retrain-${MODEL}-v2`;
    const arms = await expose(key, 'a', 1_000);
    // Upgrades: 10 % of champion units, 25 % of challenger units; complaints 20 % in both.
    await plantOutcomes(platform.database, {
      converted: [...every(arms.champion!, 10), ...every(arms.challenger!, 4)],
      complainers: [...every(arms.champion!, 5), ...every(arms.challenger!, 5)],
      timeMs: Date.now(),
    });
    const run = await retrain().catch(failWithLogs);
    expect(run.outcome, run.reasons.join('; ')).toBe(Outcome.RETRAINING_OUTCOME_CHALLENGER_PROMOTED);
    expect(run.reasons[0]).toMatch(/^primary metric upgraded_7d improved significantly \(relative lift \+\d+\.\d\d %, adjusted p = .+ < 0\.05\)$/);
    expect(run.reasons[1]).toBe('no guardrail got significantly worse (complaints_7d)');
    expect(await aliases()).toEqual({ champion: 2 });
    expect(await experiment(key)).toMatchObject({ state: grpcJs.experiment.v1.ExperimentState.EXPERIMENT_STATE_STOPPED, stopReason: 'challenger v2 promoted to champion' });
  });

  it('trains another challenger when the champion’s population drifts (PSI of its online features)', async () => {
    const drifted = Array.from({ length: 300 }, (_, i) => `d${String(i).padStart(4, '0')}`);
    // Customers the champion scored in the last hour now use 3–6 GB a record, far above anything it was trained on.
    await publishRecentUsage(platform.onlineTopic, { entities: drifted, records: 3, mb: (i) => 3_000 + (i % 30) * 100, nowMs: Date.now() });
    await waitFor(
      async () => {
        const reply = await unary<grpcJs.features.v1.GetOnlineFeaturesResponse>((m, o, cb) =>
          features.getOnlineFeatures({ features: [{ featureView: 'rt_usage', feature: 'usage_count_30d', version: 0 }], entityIds: [drifted[0]!, drifted[299]!] }, m, o, cb),
        );
        return reply.rows.every((row) => row.values[0]?.value?.int64Value === 3);
      },
      { timeoutMs: 60_000, intervalMs: 250, description: 'the online store to serve the drifted customers' },
    );
    await plantPredictions(platform.database, { modelName: MODEL, version: 2, entities: drifted, score: (i) => 0.9 + (i % 10) / 100, servedAtMs: Date.now() - 3_600_000 });

    const run = await retrain().catch(failWithLogs);
    expect(run).toMatchObject({ outcome: Outcome.RETRAINING_OUTCOME_CHALLENGER_LAUNCHED, championVersion: 2, challengerVersion: 3, experimentKey: `retrain-${MODEL}-v3` });
    const [volume, featureDrift, scoreDrift] = run.triggers;
    expect(volume).toMatchObject({ trigger: 'data_volume', evaluated: true, fired: false });
    expect(featureDrift).toMatchObject({ trigger: 'feature_drift', evaluated: true, fired: true });
    const usage = featureDrift!.drift.find((d) => d.name === 'rt_usage:usage_mb_sum_30d')!;
    expect(usage.psi).toBeGreaterThan(1);
    expect(usage.recentCount).toBe(300);
    expect(featureDrift!.detail).toContain('rt_usage:usage_mb_sum_30d');
    expect(scoreDrift).toMatchObject({ trigger: 'score_drift', evaluated: true });
    expect(scoreDrift!.drift[0]!.recentCount).toBe(300);
    expect(await aliases()).toEqual({ champion: 2, challenger: 3 });
  });

  it('keeps the challenger out when it is not better: no primary gain and a guardrail harmed', async () => {
    const key = `retrain-${MODEL}-v3`;
    const arms = await expose(key, 'b', 1_000);
    // Upgrades 10 % in both arms; complaints 10 % of champion units but 50 % of challenger units.
    await plantOutcomes(platform.database, {
      converted: [...every(arms.champion!, 10), ...every(arms.challenger!, 10)],
      complainers: [...every(arms.champion!, 10), ...every(arms.challenger!, 2)],
      timeMs: Date.now(),
    });
    const run = await retrain().catch(failWithLogs);
    expect(run.outcome, run.reasons.join('; ')).toBe(Outcome.RETRAINING_OUTCOME_CHALLENGER_RETIRED);
    expect(run.reasons).toEqual([expect.stringMatching(/^guardrail complaints_7d got significantly worse/), expect.stringMatching(/^primary metric upgraded_7d did not improve significantly/)]);
    expect(await aliases()).toEqual({ champion: 2 });
    const { modelVersion } = await unary<grpcJs.registry.v1.GetModelVersionResponse>((m, o, cb) => registry.getModelVersion({ modelName: MODEL, version: 3 }, m, o, cb));
    expect(modelVersion!.state).toBe(grpcJs.registry.v1.ModelVersionState.MODEL_VERSION_STATE_ARCHIVED);
    expect((await experiment(key)).state).toBe(grpcJs.experiment.v1.ExperimentState.EXPERIMENT_STATE_STOPPED);
  });

  it('records every step in ClickHouse: registry and experiment change logs as actor retraining, and the retraining log', async () => {
    const registryChanges = await warehouseRows<{ action: string; alias: string; version: number; previous_version: number; reason: string }>(
      platform.database,
      `SELECT action, alias, version, previous_version, reason FROM registry_changes WHERE actor = 'retraining' ORDER BY seq`,
    );
    expect(registryChanges.map((c) => [c.action, c.alias, Number(c.version), Number(c.previous_version)])).toEqual([
      ['alias_set', 'challenger', 2, 0],
      ['alias_set', 'champion', 2, 1],
      ['alias_deleted', 'challenger', 0, 2],
      ['alias_set', 'challenger', 3, 0],
      ['alias_deleted', 'challenger', 0, 3],
      ['version_archived', '', 3, 0],
    ]);
    expect(registryChanges[0]!.reason).toMatch(/^retrained after data_volume: 400 new labelled rows/);
    expect(registryChanges[1]!.reason).toMatch(/^challenger v2 won experiment retrain-e2e-upsell-v2: primary metric upgraded_7d improved significantly/);
    expect(registryChanges[3]!.reason).toMatch(/^retrained after feature_drift: PSI >= 0\.2 for rt_usage:usage_mb_sum_30d/);
    expect(registryChanges[5]!.reason).toMatch(/^challenger v3 retired, champion v2 stays: guardrail complaints_7d got significantly worse/);

    const experimentChanges = await warehouseRows<{ action: string; experiment_key: string; reason: string }>(
      platform.database,
      `SELECT action, experiment_key, reason FROM experiment_changes WHERE actor = 'retraining' ORDER BY seq`,
    );
    expect(experimentChanges.map((c) => [c.action, c.experiment_key])).toEqual([
      ['experiment_created', `retrain-${MODEL}-v2`],
      ['experiment_started', `retrain-${MODEL}-v2`],
      ['experiment_stopped', `retrain-${MODEL}-v2`],
      ['experiment_created', `retrain-${MODEL}-v3`],
      ['experiment_started', `retrain-${MODEL}-v3`],
      ['experiment_stopped', `retrain-${MODEL}-v3`],
    ]);
    expect(experimentChanges.every((c) => c.reason !== '')).toBe(true);

    const log = await warehouseRows<{ run_id: string; step: string; decision: string; actor: string; champion_version: number; challenger_version: number; experiment_key: string; reason: string; details: string }>(
      platform.database,
      `SELECT run_id, step, decision, actor, champion_version, challenger_version, experiment_key, reason, details FROM retraining_log ORDER BY run_id, step_number`,
    );
    expect(log.every((row) => row.actor === 'retraining')).toBe(true);
    const stepsOf = (run: grpcJs.trainer.v1.RetrainingRun) => log.filter((row) => row.run_id === run.runId).map((row) => [row.step, row.decision]);
    expect(runs.map(stepsOf)).toEqual([
      [['triggers_checked', 'none']],
      [
        ['triggers_checked', 'retrain'],
        ['challenger_trained', ''],
        ['challenger_aliased', ''],
        ['experiment_started', ''],
      ],
      [['analysis_read', 'wait']],
      [
        ['analysis_read', 'promote'],
        ['champion_promoted', 'promote'],
      ],
      [
        ['triggers_checked', 'retrain'],
        ['challenger_trained', ''],
        ['challenger_aliased', ''],
        ['experiment_started', ''],
      ],
      [
        ['analysis_read', 'retire'],
        ['challenger_retired', 'retire'],
      ],
    ]);
    const driftCheck = log.find((row) => row.run_id === runs[4]!.runId && row.step === 'triggers_checked')!;
    const logged = JSON.parse(driftCheck.details) as { triggers: Array<{ trigger: string; drift: Array<{ name: string; psi: number }> }> };
    const psi = logged.triggers.find((t) => t.trigger === 'feature_drift')!.drift.find((d) => d.name === 'rt_usage:usage_mb_sum_30d')!.psi;
    expect(psi).toBeCloseTo(runs[4]!.triggers[1]!.drift.find((d) => d.name === 'rt_usage:usage_mb_sum_30d')!.psi, 10);
    const promotion = log.find((row) => row.run_id === runs[3]!.runId && row.step === 'analysis_read')!;
    expect(JSON.parse(promotion.details)).toMatchObject({ analysis: { sampleRatio: { mismatch: false }, metrics: [{ key: 'upgraded_7d', outcome: 'improved' }, { key: 'complaints_7d', outcome: 'inconclusive' }] } });
  });
});
