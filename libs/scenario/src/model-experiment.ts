import type { ClickHouseClient } from '@kuroshio/clickhouse';
import type { grpcJs } from '@kuroshio/contracts';
import { experimentLinks, fetchResults, summariseResults } from './analysis-step.js';
import { modelExperiment, startExperiment, type ModelExperimentPlan } from './experiment-step.js';
import type { IngestReport } from './ingest-step.js';
import { plantOutcomes, sendOutcomes, type OutcomePlan, type PlantedVariant } from './outcome-step.js';
import type { PlatformEndpoints } from './platform-endpoints.js';
import type { Progress } from './progress.js';
import { serveScores, type ServingReport } from './serving-step.js';
import { waitForExposures } from './warehouse-arrival.js';

export interface ModelExperimentRun {
  readonly endpoints: PlatformEndpoints;
  readonly clickhouse: ClickHouseClient;
  readonly progress: Progress;
  readonly seed: number;
  readonly plan: ModelExperimentPlan;
  /** The alias callers ask inference for; the experiment overrides it per customer. */
  readonly alias: string;
  readonly customerIds: readonly string[];
  readonly outcomes: OutcomePlan;
  readonly amountOf?: (customerId: string) => number | undefined;
}

export interface ExperimentReport {
  readonly key: string;
  readonly links: ReturnType<typeof experimentLinks>;
  readonly serving: ServingReport;
  readonly planted: readonly PlantedVariant[];
  readonly outcomes: IngestReport;
  readonly results: grpcJs.experiment.v1.ExperimentResults;
  /** The analysis as printable lines. */
  readonly summary: readonly string[];
}

/**
 * One model experiment end to end on a running platform: define and start it, score every customer
 * through inference routed by it (inference logs the exposures), let the planted outcomes happen
 * through the collector, wait until exposures and outcomes are in ClickHouse, and read the analysis.
 */
export async function runModelExperiment(run: ModelExperimentRun): Promise<ExperimentReport> {
  const { endpoints, clickhouse, progress, plan } = run;
  const experiment = await startExperiment(endpoints, modelExperiment(plan), progress);
  const serving = await serveScores(endpoints, { modelName: plan.modelName, alias: run.alias, experimentKey: experiment.key, customerIds: run.customerIds }, progress);
  if (serving.unrouted > 0) throw new Error(`inference did not route ${serving.unrouted} of ${serving.scores.length} customers by ${experiment.key}: is the experiment running?`);
  const planted = plantOutcomes(serving.scores, run.outcomes, { seed: run.seed, experimentKey: experiment.key, at: new Date(), ...(run.amountOf ? { amountOf: run.amountOf } : {}) });
  progress.note(`  planted outcomes: ${planted.byVariant.map((v) => `${v.variant} ${v.payments}/${v.customers} pay, ${v.contacts} write on LINE`).join('; ')}`);
  const outcomes = await sendOutcomes(endpoints, clickhouse, planted, progress);
  await waitForExposures(clickhouse, experiment.key, new Set(serving.scores.map((s) => s.customerId)).size, progress);
  const results = await fetchResults(endpoints, experiment.key);
  const summary = summariseResults(results);
  return { key: experiment.key, links: experimentLinks(endpoints, experiment.key), serving, planted: planted.byVariant, outcomes, results, summary };
}
