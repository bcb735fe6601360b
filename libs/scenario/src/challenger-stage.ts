import type { ClickHouseClient } from '@kuroshio/clickhouse';
import { championChallengerKey } from './experiment-step.js';
import { runModelExperiment, type ExperimentReport } from './model-experiment.js';
import type { OutcomePlan } from './outcome-step.js';
import type { PlatformEndpoints } from './platform-endpoints.js';
import { promoteVersion, type AuditLine } from './promotion-step.js';
import type { Progress } from './progress.js';
import { trainModel, type FeatureSelection, type TrainedVersion } from './training-step.js';

export interface ChallengerExperimentOptions {
  /** How many days newer the challenger's training window is than the champion's (default 21). */
  readonly newerByDays?: number;
  /** The planted effect; `DEFAULT_OUTCOMES` unless given. */
  readonly outcomes?: OutcomePlan;
}

/**
 * The demo's planted effect: reminders chosen by the challenger's scores get 45 % of its customers
 * to pay within the week against 25 % under the champion; LINE contacts (the guardrail) stay at 15 %
 * in both. Large enough to be significant even at the small scale's 150 customers.
 */
export const DEFAULT_OUTCOMES: OutcomePlan = { paymentRate: { champion: 0.25, challenger: 0.45 }, contactRate: 0.15 };

export interface ChallengerStageInput {
  readonly endpoints: PlatformEndpoints;
  readonly clickhouse: ClickHouseClient;
  readonly progress: Progress;
  readonly seed: number;
  readonly modelName: string;
  readonly features: readonly FeatureSelection[];
  readonly champion: TrainedVersion;
  /** The challenger's labelled-charge window: the champion's, moved forward to the newest data. */
  readonly window: { readonly start: Date; readonly end: Date };
  readonly epochs?: number;
  readonly customerIds: readonly string[];
  readonly amountOf?: (customerId: string) => number | undefined;
  readonly outcomes: OutcomePlan;
}

export interface ChallengerStageReport {
  readonly challenger: TrainedVersion;
  readonly audit: readonly AuditLine[];
  readonly experiment: ExperimentReport;
}

/**
 * Retraining as a platform team does it: a challenger trained on newer data, registered and named
 * `challenger`, then an A/B experiment that pins champion and challenger versions and splits the
 * customers between them through inference, with the outcomes and the analysis to decide on.
 */
export async function runChallengerStage(input: ChallengerStageInput): Promise<ChallengerStageReport> {
  const { endpoints, progress, modelName, champion } = input;
  const challenger = await trainModel(
    endpoints,
    {
      modelName,
      features: input.features,
      start: input.window.start,
      end: input.window.end,
      family: 'mlp',
      seed: input.seed + 1,
      description: `bad-debt MLP challenger trained by the demo scenario on newer data (charges up to ${input.window.end.toISOString().slice(0, 10)})`,
      ...(input.epochs === undefined ? {} : { epochs: input.epochs }),
      // Like the champion's, this window's labelled charges span little more than a billing month,
      // under the 30-day outcome window: no embargo (docs/decisions/0022-demo-ab-scenario.md).
      embargoMs: 0,
    },
    progress,
  );
  const audit = await promoteVersion(endpoints, { modelName, alias: 'challenger', version: challenger.version, reason: 'retrained on newer data: A/B against the champion' }, progress);
  const experiment = await runModelExperiment({
    endpoints,
    clickhouse: input.clickhouse,
    progress,
    seed: input.seed,
    alias: 'champion',
    customerIds: input.customerIds,
    outcomes: input.outcomes,
    ...(input.amountOf ? { amountOf: input.amountOf } : {}),
    plan: {
      key: championChallengerKey(modelName, champion.version, challenger.version),
      hypothesis: `Payment reminders chosen by ${modelName} v${challenger.version} (trained on newer data) get more carrier bills paid within 7 days than v${champion.version}`,
      modelName,
      control: { key: 'champion', description: `v${champion.version}, the current champion`, version: champion.version },
      treatment: { key: 'challenger', description: `v${challenger.version}, trained on newer data`, version: challenger.version },
    },
  });
  return { challenger, audit, experiment };
}
