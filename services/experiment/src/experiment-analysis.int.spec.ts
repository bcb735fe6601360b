import { ident, sql } from '@kuroshio/clickhouse';
import { grpcJs } from '@kuroshio/contracts';
import type { RunningService } from '@kuroshio/service-kit';
import { momentsFromValues, twoProportionZTest, compareMeans, sampleRatioMismatch, holmBonferroni } from '@kuroshio/stats';
import { waitFor } from '@kuroshio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentConfig } from './config.js';
import { analystViewName } from './domain/experiment-definition.js';
import { ExperimentTestClient } from './testing/experiment-client.js';
import { IsolatedStack, startExperimentService } from './testing/experiment-under-test.js';
import { DAY, PAYMENT, plant, plantedDefinition, SUPPORT_CALL, type Planted } from './testing/planted-data.js';

// Planted effects seeded straight into ClickHouse, analysed by the running service: an A/B with a
// lift, an A/A, and a broken split. The results are then recomputed from per-unit values read
// through the analyst view (another SQL path) with @kuroshio/stats directly.

const stack = new IsolatedStack();
let service: RunningService<ExperimentConfig>;
let client: ExperimentTestClient;
// First exposures 50 to 40 days ago: every 30-day window has closed. The in-progress experiment's
// 35 to 25 days ago: about half of its units are still inside their windows.
const startMs = Date.now() - 50 * DAY;
const planted: Record<'ab' | 'aa' | 'srm' | 'inProgress', Planted> = {
  ab: { key: 'it-ab-planted', units: 20_000, controlShare: 0.5, conversion: { control: 0.1, treatment: 0.13 }, amountLift: 10, startMs },
  aa: { key: 'it-aa-check', units: 20_000, controlShare: 0.5, conversion: { control: 0.1, treatment: 0.1 }, amountLift: 0, startMs },
  srm: { key: 'it-srm-broken', units: 10_000, controlShare: 0.55, conversion: { control: 0.1, treatment: 0.1 }, amountLift: 0, startMs },
  inProgress: { key: 'it-in-progress', units: 20_000, controlShare: 0.5, conversion: { control: 0.1, treatment: 0.13 }, amountLift: 10, startMs: startMs + 15 * DAY },
};
type Results = grpcJs.experiment.v1.ExperimentResults;

beforeAll(async () => {
  await stack.setUp();
  service = await startExperimentService(stack.env);
  client = new ExperimentTestClient(service.grpcAddress!);
  for (const p of Object.values(planted)) {
    await client.create(plantedDefinition(p.key));
    await client.start(p.key);
    await plant(stack.clickhouse, p);
  }
});

afterAll(async () => {
  client?.close();
  await service?.close();
  await stack.tearDown();
});

async function results(key: string, extra: Record<string, unknown> = {}): Promise<Results> {
  const { results } = await client.results({ experimentKey: key, includeCumulative: true, ...extra });
  return results!;
}

const metric = (r: Results, key: string) => r.metrics.find((m) => m.metricKey === key)!;

/** Per-unit metric values recomputed in JS from the analyst view's rows; `closed`: whether the unit's 30-day window has ended by `asOfMs`. */
async function unitValues(key: string, asOfMs = Date.now()) {
  const rows = await stack.clickhouse.query<{ unit_id: string; variant: string; first: string; event: string; ms_after_exposure: string; properties: string }>(
    sql`SELECT unit_id, variant, toString(first_exposed_at_ms) AS first, event, toString(ms_after_exposure) AS ms_after_exposure, properties FROM ${ident(analystViewName(key))}`,
  );
  const units = new Map<string, { variant: string; closed: boolean; paid: number; revenue: number; pre: number; calls: number }>();
  for (const row of rows) {
    const u = units.get(row.unit_id) ?? { variant: row.variant, closed: Number(row.first) + 30 * DAY <= asOfMs, paid: 0, revenue: 0, pre: 0, calls: 0 };
    units.set(row.unit_id, u);
    const after = Number(row.ms_after_exposure);
    const inWindow = row.event !== '' && after >= 0 && after < 30 * DAY;
    if (row.event === PAYMENT && inWindow) {
      u.paid = 1;
      u.revenue += Number((JSON.parse(row.properties) as { amount: number }).amount);
    }
    if (row.event === PAYMENT && after < 0 && after >= -30 * DAY) u.pre += Number((JSON.parse(row.properties) as { amount: number }).amount);
    if (row.event === SUPPORT_CALL && inWindow) u.calls += 1;
  }
  const arm = (variant: string) => [...units.values()].filter((u) => u.variant === variant);
  return { control: arm('control'), treatment: arm('treatment') };
}

describe('analysis of planted effects (ClickHouse aggregation + @kuroshio/stats)', () => {
  it('detects the planted lift in an A/B test: the interval excludes 0 and covers the planted relative lift', async () => {
    const r = await results(planted.ab.key);
    expect(r.sampleRatio?.mismatch).toBe(false);
    const paid = metric(r, 'paid_within_30d');
    const [control, treatment] = paid.variants;
    expect(control?.variant).toBe('control');
    expect((control?.units ?? 0) + (treatment?.units ?? 0)).toBe(planted.ab.units);
    const c = paid.comparisons[0]!;
    expect(c.test).toBe('STATISTICAL_TEST_TWO_PROPORTION_Z');
    expect(c.significant).toBe(true);
    expect(c.outcome).toBe('COMPARISON_OUTCOME_IMPROVED');
    expect(c.absoluteLiftCi!.lower).toBeGreaterThan(0);
    expect(c.relativeLiftCi!.lower).toBeGreaterThan(0);
    expect(c.relativeLiftCi!.lower).toBeLessThan(0.3);
    expect(c.relativeLiftCi!.upper).toBeGreaterThan(0.3);
    const revenue = metric(r, 'revenue_30d').comparisons[0]!;
    expect(revenue.significant).toBe(true);
    expect(revenue.cupedApplied).toBe(true);
    expect(revenue.varianceReduction).toBeGreaterThan(0);
    expect(metric(r, 'support_calls').comparisons[0]!.significant).toBe(false);
    expect(c.cumulative.length).toBeGreaterThanOrEqual(5);
    expect(c.cumulative[c.cumulative.length - 1]!.relativeLift).toBeCloseTo(c.relativeLift, 10);
  });

  it('finds nothing in an A/A test and no sample-ratio mismatch', async () => {
    const r = await results(planted.aa.key);
    expect(r.sampleRatio?.mismatch).toBe(false);
    expect(metric(r, 'paid_within_30d').comparisons[0]!.relativeLiftCi!.lower).toBeLessThan(0);
    expect(metric(r, 'paid_within_30d').comparisons[0]!.relativeLiftCi!.upper).toBeGreaterThan(0);
    for (const m of r.metrics) {
      for (const c of m.comparisons) {
        expect(c.significant, `${m.metricKey}: p=${c.pValue}`).toBe(false);
        expect(c.outcome).toBe('COMPARISON_OUTCOME_INCONCLUSIVE');
        // Unadjusted intervals may miss 0 for one metric in twenty; the corrected p-values decide.
        expect(c.adjustedPValue).toBeGreaterThanOrEqual(0.05);
      }
    }
  });

  it('flags a deliberately broken split (55/45 against 50/50 weights) as a sample-ratio mismatch', async () => {
    const r = await results(planted.srm.key);
    const srm = r.sampleRatio!;
    expect(srm.mismatch).toBe(true);
    expect(srm.pValue).toBeLessThan(0.001);
    expect(srm.degreesOfFreedom).toBe(1);
    expect(srm.allocations.map((a) => a.variant)).toEqual(['control', 'treatment']);
    expect(srm.allocations[0]!.observedFraction).toBeGreaterThan(0.53);
  });

  it('matches @kuroshio/stats on the same per-unit data read through the analyst view', async () => {
    const r = await results(planted.ab.key, { disableCuped: true });
    const { control, treatment } = await unitValues(planted.ab.key);
    expect(control.length + treatment.length).toBe(planted.ab.units);
    const paidC = control.filter((u) => u.paid).length;
    const paidT = treatment.filter((u) => u.paid).length;
    const z = twoProportionZTest({ exposures: control.length, conversions: paidC }, { exposures: treatment.length, conversions: paidT });
    const paid = metric(r, 'paid_within_30d');
    expect(paid.variants[0]).toMatchObject({ units: control.length, sum: paidC });
    const cmp = paid.comparisons[0]!;
    expect(cmp.absoluteLift).toBeCloseTo(z.absolute.estimate, 12);
    expect(cmp.pValue).toBeCloseTo(z.absolute.pValue, 12);
    expect(cmp.relativeLiftCi!.lower).toBeCloseTo(z.relative!.confidenceInterval.lower, 10);

    const t = compareMeans(momentsFromValues(control.map((u) => u.revenue)), momentsFromValues(treatment.map((u) => u.revenue)));
    const revenue = metric(r, 'revenue_30d');
    expect(revenue.variants[1]!.mean).toBeCloseTo(t.treatment.mean, 8);
    expect(revenue.variants[1]!.variance).toBeCloseTo(t.treatment.variance, 4);
    expect(revenue.comparisons[0]!.statistic).toBeCloseTo(t.absolute.statistic, 8);
    expect(revenue.comparisons[0]!.degreesOfFreedom).toBeCloseTo(t.absolute.degreesOfFreedom, 6);
    expect(revenue.comparisons[0]!.relativeLift).toBeCloseTo(t.relative!.estimate, 10);

    const calls = compareMeans(momentsFromValues(control.map((u) => u.calls)), momentsFromValues(treatment.map((u) => u.calls)));
    const raw = [z.absolute.pValue, t.absolute.pValue, calls.absolute.pValue];
    expect(r.metrics.map((m) => m.comparisons[0]!.adjustedPValue)).toEqual(holmBonferroni(raw).map((p) => expect.closeTo(p, 10)));
    const srm = sampleRatioMismatch([control.length, treatment.length], [50, 50]);
    expect(r.sampleRatio!.chiSquare).toBeCloseTo(srm.statistic, 10);
  });

  it('excluding in-progress conversions, compares windowed metrics on the units whose window has closed, and checks the split on every unit', async () => {
    const asOfMs = Date.now();
    const asOf = { seconds: Math.floor(asOfMs / 1000), nanos: (asOfMs % 1000) * 1e6 };
    const r = await results(planted.inProgress.key, { disableCuped: true, asOf, inProgressConversions: grpcJs.experiment.v1.InProgressConversions.IN_PROGRESS_CONVERSIONS_EXCLUDE });
    const all = await unitValues(planted.inProgress.key, asOfMs);
    // By default every unit counts, the ones still inside their window with what they did so far.
    const byDefault = await results(planted.inProgress.key, { disableCuped: true, asOf });
    expect(metric(byDefault, 'paid_within_30d').variants.map((v) => Number(v.units))).toEqual([all.control.length, all.treatment.length]);
    const [control, treatment] = [all.control.filter((u) => u.closed), all.treatment.filter((u) => u.closed)];
    // About half of the units are inside their windows: out of every metric (all have 30 days), in the SRM.
    expect(control.length + treatment.length).toBeGreaterThan(0.4 * planted.inProgress.units);
    expect(control.length + treatment.length).toBeLessThan(0.6 * planted.inProgress.units);
    expect(r.sampleRatio!.allocations.map((a) => Number(a.units))).toEqual([all.control.length, all.treatment.length]);
    const paid = metric(r, 'paid_within_30d');
    expect(paid.variants.map((v) => Number(v.units))).toEqual([control.length, treatment.length]);
    const z = twoProportionZTest({ exposures: control.length, conversions: control.filter((u) => u.paid).length }, { exposures: treatment.length, conversions: treatment.filter((u) => u.paid).length });
    expect(paid.comparisons[0]!.pValue).toBeCloseTo(z.absolute.pValue, 12);
    expect(paid.comparisons[0]!.absoluteLift).toBeCloseTo(z.absolute.estimate, 12);
    const t = compareMeans(momentsFromValues(control.map((u) => u.revenue)), momentsFromValues(treatment.map((u) => u.revenue)));
    const revenue = metric(r, 'revenue_30d');
    expect(revenue.variants.map((v) => Number(v.units))).toEqual([control.length, treatment.length]);
    expect(revenue.variants[1]!.mean).toBeCloseTo(t.treatment.mean, 8);
    expect(revenue.comparisons[0]!.statistic).toBeCloseTo(t.absolute.statistic, 8);
    expect(metric(r, 'support_calls').variants.map((v) => Number(v.units))).toEqual([control.length, treatment.length]);
  });

  it('records exposures through Kafka: Assign lands them in ClickHouse via the exposures sink, and analysis counts them', async () => {
    const key = 'it-kafka-path';
    await client.create(plantedDefinition(key));
    await client.start(key);
    const units = Array.from({ length: 30 }, (_, i) => `kafka-unit-${i}`);
    const answers = await Promise.all(units.map((unitId) => client.assign({ experimentKey: key, unitId, recordExposure: true })));
    expect(answers.every((a) => a.status === 'ASSIGNMENT_STATUS_ASSIGNED' && a.exposureRecorded)).toBe(true);
    expect(answers.find((a) => a.variant === 'treatment')?.model).toEqual({ modelName: 'bad-debt', version: 4 });
    // The same unit gets the same variant every time.
    const again = await client.assign({ experimentKey: key, unitId: units[0]!, recordExposure: false });
    expect(again).toMatchObject({ variant: answers[0]!.variant, exposureRecorded: false });
    await waitFor(
      async () => Number((await stack.clickhouse.query<{ n: string }>(sql`SELECT count() AS n FROM exposures WHERE experiment_key = ${key}`))[0]?.n) === 30,
      { timeoutMs: 60_000, description: 'exposures landed by the sink' },
    );
    const landed = await stack.clickhouse.query<{ recorded_by: string; revision: number }>(sql`SELECT DISTINCT recorded_by, revision FROM exposures WHERE experiment_key = ${key}`);
    expect(landed).toEqual([{ recorded_by: 'experiment', revision: 2 }]);
    const r = await results(key);
    expect(r.sampleRatio!.allocations.reduce((sum, a) => sum + Number(a.units), 0)).toBe(30);
  });

  it('creates the analyst view on start and keeps the state across a restart (rebuilt from the change log)', async () => {
    const views = await stack.clickhouse.query<{ name: string }>(sql`SELECT name FROM system.tables WHERE database = ${stack.database} AND name LIKE 'experiment\\_%' ORDER BY name`);
    expect(views.map((v) => v.name)).toEqual(expect.arrayContaining(['experiment_it_in_progress', 'experiment_it_ab_planted', 'experiment_it_aa_check', 'experiment_it_srm_broken', 'experiment_it_kafka_path']));
    await client.stop(planted.srm.key, 'broken split');
    const before = (await client.get(planted.srm.key)).experiment!;
    expect(before).toMatchObject({ state: 'EXPERIMENT_STATE_STOPPED', revision: 3, stopReason: 'broken split', createdBy: 'analyst@bank.example' });
    // A stopped experiment is analysed as of its stop.
    expect((await results(planted.srm.key)).window?.endTime).toEqual(before.stopTime);
    client.close();
    await service.close();
    service = await startExperimentService(stack.env);
    client = new ExperimentTestClient(service.grpcAddress!);
    const after = (await client.get(planted.srm.key)).experiment!;
    expect(after).toEqual(before);
    const { experiments } = await client.list({});
    expect(experiments.map((e) => e.key)).toEqual(['it-kafka-path', planted.inProgress.key, planted.srm.key, planted.aa.key, planted.ab.key]);
  });
});
