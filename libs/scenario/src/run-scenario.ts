import type { ClickHouseSettings } from '@kuroshio/config';
import { simulateTelecom, type SimulatedCharge } from '@kuroshio/telecom-sim';
import { DEFAULT_OUTCOMES, runChallengerStage, type ChallengerExperimentOptions } from './challenger-stage.js';
import { ingestEvents, type IngestReport } from './ingest-step.js';
import type { ExperimentReport } from './model-experiment.js';
import type { PlatformEndpoints } from './platform-endpoints.js';
import { promoteVersion, type AuditLine } from './promotion-step.js';
import type { Progress } from './progress.js';
import { trainModel, type FeatureSelection, type TrainedVersion } from './training-step.js';
import { openWarehouse, waitForWarehouse } from './warehouse-arrival.js';

const DAY_MS = 86_400_000;

export interface ScenarioScale {
  readonly customers: number;
  /** Days of history simulated, ending now. */
  readonly days: number;
}

export const SCALES = {
  /** CI: a minute or two of work end to end. */
  small: { customers: 150, days: 150 },
  /** The README's demo. */
  demo: { customers: 1_500, days: 180 },
} as const satisfies Record<string, ScenarioScale>;

/** The features the bad-debt model is trained on: billing history, payment behaviour, channel activity. */
export const BAD_DEBT_FEATURES: readonly FeatureSelection[] = [
  ...['charge_count_30d', 'charge_amount_sum_30d', 'charge_amount_avg_90d', 'charge_amount_max_90d', 'distinct_merchants_30d', 'days_since_last_charge'].map((feature) => ({
    featureView: 'carrier_billing_charges',
    feature,
    version: 2,
  })),
  ...['payment_count_90d', 'payment_amount_sum_90d', 'days_past_due_avg_90d', 'days_since_last_payment'].map((feature) => ({ featureView: 'carrier_billing_payments', feature, version: 1 })),
  { featureView: 'line_messages', feature: 'line_message_count_30d', version: 1 },
  { featureView: 'app_screen_views', feature: 'screen_view_count_30d', version: 1 },
];

export interface ScenarioOptions {
  readonly endpoints: PlatformEndpoints;
  /** The warehouse the ETL writes, to know when every event has landed. */
  readonly clickhouse: ClickHouseSettings;
  readonly progress: Progress;
  readonly scale: ScenarioScale;
  readonly seed: number;
  readonly now?: Date;
  readonly modelName?: string;
  readonly features?: readonly FeatureSelection[];
  /** Prefix of the simulated customer ids (default `cust`). */
  readonly customerIdPrefix?: string;
  /**
   * After the champion: a challenger trained on newer data, an A/B experiment between the two
   * through inference, planted outcomes and the analysis. Off unless given; the demo CLI turns it on.
   * With it the champion is trained on a window that ends `newerByDays` earlier (it was trained a
   * while ago), and the challenger on the same length of window ending now.
   */
  readonly challengerExperiment?: ChallengerExperimentOptions;
  /** Caps every training job's epochs (tests train quickly); the family's default otherwise. */
  readonly trainingEpochs?: number;
}

export interface ScenarioReport {
  readonly customerIds: readonly string[];
  /** The simulated customers' mobile numbers, national ID numbers and e-mail addresses: what must never land in clear. */
  readonly personalData: readonly string[];
  readonly ingest: IngestReport;
  readonly champion: TrainedVersion;
  readonly audit: readonly AuditLine[];
  /** With `challengerExperiment`: the challenger version and the experiment against the champion. */
  readonly challenger?: TrainedVersion;
  readonly experiment?: ExperimentReport;
}

/**
 * The platform's story end to end: a telecom's channels stream events in, the ETL lands them, the
 * feature store turns them into point-in-time features, the trainer fits a bad-debt model and the
 * registry promotes it to champion, with the audit log to show for it. With `challengerExperiment`
 * it goes on: a challenger on newer data, champion against challenger through inference, analysis.
 */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioReport> {
  const { endpoints, progress, scale, seed } = options;
  const now = options.now ?? new Date();
  const modelName = options.modelName ?? 'bad-debt';
  const start = new Date(now.getTime() - scale.days * DAY_MS);

  progress.note(`Simulating ${scale.customers} telecom customers (${options.customerIdPrefix ?? 'cust'}-000000…) over ${scale.days} days (seed ${seed})…`);
  const simulation = simulateTelecom({ seed, customers: scale.customers, start, end: now, ...(options.customerIdPrefix ? { customerIdPrefix: options.customerIdPrefix } : {}) });
  const ingest = await ingestEvents(endpoints, simulation.events, progress);
  if (ingest.rejected.length > 0) throw new Error(`the collector rejected ${ingest.rejected.length} events, e.g. ${ingest.rejected.slice(0, 3).join('; ')}`);
  const clickhouse = openWarehouse(options.clickhouse);
  try {
    await waitForWarehouse(
      clickhouse,
      simulation.events.map((event) => event.messageId),
      progress,
    );

    const ab = options.challengerExperiment;
    const newerByMs = ab === undefined ? 0 : (ab.newerByDays ?? 21) * DAY_MS;
    const features = options.features ?? BAD_DEBT_FEATURES;
    const epochs = options.trainingEpochs === undefined ? {} : { epochs: options.trainingEpochs };
    // Charges whose outcome is known: due date + 30 days before the window's end (the feature store labels only those).
    const championWindow = { start: new Date(start.getTime() + 30 * DAY_MS), end: new Date(now.getTime() - newerByMs) };
    const champion = await trainModel(
      endpoints,
      {
        modelName,
        features,
        ...championWindow,
        family: 'mlp',
        seed,
        description: `bad-debt MLP trained by the demo scenario on ${scale.customers} customers`,
        ...epochs,
        // Ending 21 days back, the window's labelled charges (due date + 30 days before its end) span
        // about one billing month, less than the 30-day outcome window: the trainer's default embargo
        // would leave no training row. The A/B stage's versions are trained without one, their
        // validation and test metrics knowingly optimistic (docs/decisions/0022-demo-ab-scenario.md).
        ...(ab === undefined ? {} : { embargoMs: 0 }),
      },
      progress,
    );
    const championAudit = await promoteVersion(endpoints, { modelName, alias: 'champion', version: champion.version, reason: 'first model: promoted by the demo scenario' }, progress, ab === undefined);
    const report = {
      customerIds: simulation.customers.map((customer) => customer.userId),
      personalData: simulation.customers.flatMap((customer) => [customer.mobile, customer.nationalId, customer.email]),
      ingest,
      champion,
    };
    if (ab === undefined) return { ...report, audit: championAudit };

    const latestCharge = latestChargeAmounts(simulation.charges);
    const stage = await runChallengerStage({
      endpoints,
      clickhouse,
      progress,
      seed,
      modelName,
      features,
      champion,
      window: { start: new Date(championWindow.start.getTime() + newerByMs), end: now },
      ...epochs,
      customerIds: report.customerIds,
      amountOf: (customerId) => latestCharge.get(customerId),
      outcomes: ab.outcomes ?? DEFAULT_OUTCOMES,
    });
    return { ...report, audit: stage.audit, challenger: stage.challenger, experiment: stage.experiment };
  } finally {
    await clickhouse.close();
  }
}

/** What each customer last charged: what a reminded customer pays. */
function latestChargeAmounts(charges: readonly SimulatedCharge[]): Map<string, number> {
  const latest = new Map<string, SimulatedCharge>();
  for (const charge of charges) {
    const seen = latest.get(charge.userId);
    if (seen === undefined || seen.chargedAt < charge.chargedAt) latest.set(charge.userId, charge);
  }
  return new Map([...latest].map(([userId, charge]) => [userId, charge.amount]));
}
