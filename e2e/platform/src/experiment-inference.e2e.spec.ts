import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { EXPERIMENT_KEY_PATTERN, grpcJs } from '@kuroshio/contracts';
import {
  collectionsMetrics,
  fetchResults,
  modelExperiment,
  openWarehouse,
  plantOutcomes,
  recordedProgress,
  runModelExperiment,
  runScenario,
  SCALES,
  SCENARIO_ACTOR,
  sendOutcomes,
  serveScores,
  startExperiment,
  waitForExposures,
  type ExperimentReport,
  type ScenarioReport,
} from '@kuroshio/scenario';
import { waitFor } from '@kuroshio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIsolatedPlatform, type IsolatedPlatform } from './isolated-platform.js';
import { warehouseRows } from './ingest-warehouse.js';

/**
 * Issue 5's must-show and issue 6's A/B step on real processes: the telecom scenario trains a
 * champion and a challenger on newer data (two registered versions), an experiment pins them and
 * splits the customers, inference serves every customer by it and logs predictions and exposures,
 * planted outcomes go through the collector and the ETL, and the experiment service's analysis finds
 * the effect. Then an A/A experiment (no effect) and a broken split (SRM) on cohorts of their own.
 */
const v1 = grpcJs.experiment.v1;
const PLANTED = { paymentRate: { champion: 0.2, challenger: 0.6 }, contactRate: 0.15 };
const conversionOnly = () => collectionsMetrics().filter((metric) => metric.kind !== v1.MetricKind.METRIC_KIND_SUM);

describe('model experiment through inference: champion against challenger, A/A, broken split', () => {
  const progress = recordedProgress();
  let platform: IsolatedPlatform;
  let clickhouse: ReturnType<typeof openWarehouse>;
  let modelName = '';
  let report: ScenarioReport;
  let experiment: ExperimentReport;

  const failWithContext = (error: unknown): never => {
    throw new Error(`${(error as Error).message}\n${progress.lines.join('\n')}\n${platform.logs()}`);
  };
  const keyOf = (suffix: string) => `${modelName}-${suffix}`;
  const cohort = (name: string, size: number) => Array.from({ length: size }, (_, i) => `c${platform.slug}-${name}-${String(i).padStart(4, '0')}`);

  beforeAll(async () => {
    platform = await startIsolatedPlatform('abx');
    modelName = `bd-${platform.slug}`;
    clickhouse = openWarehouse(platform.clickhouse);
    report = await runScenario({
      endpoints: platform.endpoints,
      clickhouse: platform.clickhouse,
      progress,
      scale: SCALES.small,
      seed: 11,
      modelName,
      customerIdPrefix: `c${platform.slug}`,
      trainingEpochs: 8,
      challengerExperiment: { outcomes: PLANTED },
    }).catch(failWithContext);
    experiment = report.experiment!;
  }, 900_000);

  afterAll(async () => {
    await clickhouse?.close();
    if (platform === undefined) return;
    const trainingSets = [report?.champion.trainingSetExportId, report?.challenger?.trainingSetExportId].filter((id): id is string => id !== undefined);
    const codes = await platform.stop({ modelNames: [modelName], trainingSets });
    expect(codes).toEqual({ collector: 0, etl: 0, 'feature-store': 0, trainer: 0, 'model-registry': 0, inference: 0, experiment: 0 });
  }, 120_000);

  it('registers two trained versions, the challenger on newer data, under the champion and challenger aliases', async () => {
    const { champion, challenger } = report;
    expect(challenger).toBeDefined();
    expect(challenger!.version).toBeGreaterThan(champion.version);
    expect(challenger!.window.end.getTime()).toBeGreaterThan(champion.window.end.getTime());
    expect(challenger!.window.start.getTime()).toBeGreaterThan(champion.window.start.getTime());
    const registry = new grpcJs.registry.v1.ModelRegistryClient(platform.endpoints.registryGrpc, credentials.createInsecure());
    try {
      const { model } = await unary<grpcJs.registry.v1.GetModelResponse>((m, cb) => registry.getModel({ name: modelName }, m, cb));
      expect(Object.fromEntries(model!.aliases.map((a) => [a.alias, a.version]))).toEqual({ champion: champion.version, challenger: challenger!.version });
      for (const version of [champion, challenger!]) {
        const { modelVersion } = await unary<grpcJs.registry.v1.GetModelVersionResponse>((m, cb) => registry.getModelVersion({ modelName, version: version.version }, m, cb));
        expect(modelVersion?.lineage?.trainingJobId).toBe(version.jobId);
        expect(modelVersion?.artifacts.some((a) => a.kind === grpcJs.registry.v1.ArtifactKind.ARTIFACT_KIND_MODEL)).toBe(true);
      }
    } finally {
      registry.close();
    }
    expect(report.audit.filter((line) => line.action === 'alias_set' && line.actor === SCENARIO_ACTOR).map((line) => [line.alias, line.version])).toEqual(
      expect.arrayContaining([
        ['champion', champion.version],
        ['challenger', challenger!.version],
      ]),
    );
  });

  it('serves every customer through inference by the experiment, and ClickHouse holds the same predictions and exposures', async () => {
    const { serving } = experiment;
    const versionOf = { champion: report.champion.version, challenger: report.challenger!.version } as Record<string, number>;
    expect(serving.scores).toHaveLength(report.customerIds.length);
    expect(new Set(serving.scores.map((s) => s.customerId))).toEqual(new Set(report.customerIds));
    for (const score of serving.scores) {
      expect(score.modelVersion, score.customerId).toBe(versionOf[score.variant]);
      expect(score.score).toBeGreaterThanOrEqual(0);
      expect(score.score).toBeLessThanOrEqual(1);
    }
    expect(serving.byVariant.map((v) => v.variant)).toEqual(['challenger', 'champion']);
    expect(Math.min(...serving.byVariant.map((v) => v.customers))).toBeGreaterThan(40);

    expect(experiment.key).toMatch(EXPERIMENT_KEY_PATTERN);
    const predictions = await waitFor(
      async () => {
        const rows = await warehouseRows<{ request_id: string; entity_id: string; model_name: string; model_version: number; variant: string; score: number }>(
          platform.database,
          `SELECT request_id, entity_id, model_name, model_version, variant, score FROM predictions FINAL WHERE experiment_key = '${experiment.key}' ORDER BY request_id`,
        );
        return rows.length >= serving.scores.length ? rows : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1_000, description: 'predictions landed in ClickHouse' },
    );
    const expected = [...serving.scores].sort((a, b) => (a.requestId < b.requestId ? -1 : 1));
    expect(predictions.map(({ score: _score, ...row }) => row)).toEqual(
      expected.map((s) => ({ request_id: s.requestId, entity_id: s.customerId, model_name: modelName, model_version: s.modelVersion, variant: s.variant })),
    );
    predictions.forEach((row, i) => expect(Number(row.score)).toBeCloseTo(expected[i]!.score, 9));
    const exposures = await warehouseRows<{ unit_id: string; variant: string; recorded_by: string; request_id: string }>(
      platform.database,
      `SELECT unit_id, variant, recorded_by, request_id FROM exposures FINAL WHERE experiment_key = '${experiment.key}' ORDER BY request_id`,
    );
    expect(exposures).toEqual(expected.map((s) => ({ unit_id: s.customerId, variant: s.variant, recorded_by: 'inference', request_id: s.requestId })));
  });

  it('finds the planted effect: the challenger raises payments, significantly, with an interval above 0, and no SRM', () => {
    const { results, planted } = experiment;
    expect(results.sampleRatio?.mismatch).toBe(false);
    const primary = results.metrics.find((metric) => metric.role === v1.MetricRole.METRIC_ROLE_PRIMARY)!;
    const rate = (variant: string) => {
      const arm = planted.find((p) => p.variant === variant)!;
      return arm.payments / arm.customers;
    };
    // Control first; each arm's units and conversion rate are exactly what was served and planted.
    expect(primary.variants.map((v) => v.variant)).toEqual(['champion', 'challenger']);
    for (const arm of primary.variants) {
      expect(arm.units).toBe(planted.find((p) => p.variant === arm.variant)!.customers);
      expect(arm.mean).toBeCloseTo(rate(arm.variant), 12);
    }
    const [comparison] = primary.comparisons;
    expect(comparison).toMatchObject({ variant: 'challenger', controlVariant: 'champion', significant: true, outcome: v1.ComparisonOutcome.COMPARISON_OUTCOME_IMPROVED });
    expect(comparison!.absoluteLift).toBeCloseTo(rate('challenger') - rate('champion'), 12);
    expect(comparison!.absoluteLiftCi!.lower).toBeGreaterThan(0);
    expect(comparison!.relativeLiftCi!.lower).toBeGreaterThan(0);
    expect(comparison!.adjustedPValue).toBeLessThan(results.alpha);
    // The guardrail's rate was planted equal in both arms.
    const guardrail = results.metrics.find((metric) => metric.role === v1.MetricRole.METRIC_ROLE_GUARDRAIL)!;
    expect(guardrail.comparisons[0]!.significant).toBe(false);
    expect(experiment.summary.join('\n')).toMatch(/challenger vs champion: \+\d+\.\d pp .* → IMPROVED/);
  });

  it('A/A: two arms on the same champion version show no significant effect and no SRM', async () => {
    const customers = cohort('aa', 240);
    const aa = await runModelExperiment({
      endpoints: platform.endpoints,
      clickhouse,
      progress,
      seed: 11,
      alias: 'champion',
      customerIds: customers,
      outcomes: { paymentRate: { a: 0.3, b: 0.3 }, contactRate: 0.15 },
      plan: {
        key: keyOf('aa'),
        hypothesis: 'The same model in both arms changes nothing',
        modelName,
        control: { key: 'a', description: 'champion', version: report.champion.version },
        treatment: { key: 'b', description: 'champion again', version: report.champion.version },
        metrics: conversionOnly(),
      },
    }).catch(failWithContext);
    expect(new Set(aa.serving.scores.map((s) => s.modelVersion))).toEqual(new Set([report.champion.version]));
    expect(aa.results.sampleRatio?.mismatch).toBe(false);
    expect(aa.results.sampleRatio?.allocations.map((a) => a.units).reduce((x, y) => x + y, 0)).toBe(customers.length);
    for (const metric of aa.results.metrics) {
      for (const comparison of metric.comparisons) {
        expect(comparison.significant, metric.metricKey).toBe(false);
        expect(comparison.outcome).toBe(v1.ComparisonOutcome.COMPARISON_OUTCOME_INCONCLUSIVE);
        expect(comparison.absoluteLiftCi!.lower).toBeLessThan(0);
        expect(comparison.absoluteLiftCi!.upper).toBeGreaterThan(0);
      }
    }
  }, 300_000);

  it('a broken split (a client drops half of the challenger arm before asking for scores) is flagged by SRM', async () => {
    const customers = cohort('srm', 300);
    const started = await startExperiment(
      platform.endpoints,
      modelExperiment({
        key: keyOf('srm'),
        hypothesis: 'Challenger raises payments (served by a buggy client)',
        modelName,
        control: { key: 'champion', description: 'champion', version: report.champion.version },
        treatment: { key: 'challenger', description: 'challenger', version: report.challenger!.version },
        metrics: conversionOnly(),
      }),
      progress,
    );
    // The client looks the variant up (no exposure) and, by a bug, skips every second challenger customer.
    const client = new v1.ExperimentServiceClient(platform.endpoints.experimentGrpc, credentials.createInsecure());
    const variants = new Map<string, string>();
    try {
      for (const unitId of customers) {
        const answer = await unary<grpcJs.experiment.v1.AssignResponse>((m, cb) => client.assign({ experimentKey: started.key, unitId, recordExposure: false }, m, cb));
        variants.set(unitId, answer.variant);
      }
    } finally {
      client.close();
    }
    const challengers = customers.filter((id) => variants.get(id) === 'challenger');
    const served = customers.filter((id) => variants.get(id) === 'champion' || challengers.indexOf(id) % 2 === 0);
    const serving = await serveScores(platform.endpoints, { modelName, alias: 'champion', experimentKey: started.key, customerIds: served }, progress);
    // Inference assigns exactly as the lookup did: the one assignment function.
    for (const score of serving.scores) expect(score.variant, score.customerId).toBe(variants.get(score.customerId));
    const planted = plantOutcomes(serving.scores, { paymentRate: { champion: 0.3, challenger: 0.3 }, contactRate: 0 }, { seed: 11, experimentKey: started.key, at: new Date() });
    await sendOutcomes(platform.endpoints, clickhouse, planted, progress).catch(failWithContext);
    await waitForExposures(clickhouse, started.key, served.length, progress);
    const results = await fetchResults(platform.endpoints, started.key);
    const srm = results.sampleRatio!;
    expect(srm.mismatch).toBe(true);
    expect(srm.pValue).toBeLessThan(srm.threshold);
    const observed = Object.fromEntries(srm.allocations.map((a) => [a.variant, a.units]));
    expect(observed).toEqual({ champion: customers.length - challengers.length, challenger: Math.ceil(challengers.length / 2) });
  }, 300_000);
});

function unary<T>(invoke: (metadata: Metadata, callback: (error: ServiceError | null, response: T) => void) => unknown): Promise<T> {
  const metadata = new Metadata();
  metadata.set('x-kuroshio-actor', 'e2e-analyst@kuroshio');
  return new Promise((resolve, reject) => invoke(metadata, (error, response) => (error ? reject(error) : resolve(response))));
}
