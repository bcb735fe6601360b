import { credentials } from '@grpc/grpc-js';
import { durationFromMs, grpcJs } from '@kuroshio/contracts';
import { LINE_MESSAGE_EVENT, PAYMENT_EVENT } from '@kuroshio/telecom-sim';
import { callUnary } from './grpc-unary.js';
import type { PlatformEndpoints } from './platform-endpoints.js';
import type { Progress } from './progress.js';

const DAY_MS = 86_400_000;
const v1 = grpcJs.experiment.v1;

/** One arm of a model experiment: the registered version it serves. */
export interface ModelArm {
  readonly key: string;
  readonly description: string;
  readonly version: number;
  /** Relative traffic weight (default 1). */
  readonly weight?: number;
}

export interface ModelExperimentPlan {
  readonly key: string;
  readonly hypothesis: string;
  readonly modelName: string;
  readonly control: ModelArm;
  readonly treatment: ModelArm;
  /** What is measured; `collectionsMetrics()` by default. */
  readonly metrics?: readonly grpcJs.experiment.v1.MetricDefinition[];
}

/**
 * What a bad-debt model changes in the business: who gets a payment reminder. Primary: the customer
 * pays a carrier bill within the window after first being scored; secondary: how much (CUPED with the
 * same sum over the 30 days before, i.e. the customer's own payment history); guardrail: customers
 * writing to the LINE account (reminders sent to the wrong people make them complain).
 */
export function collectionsMetrics(windowDays = 7): grpcJs.experiment.v1.MetricDefinition[] {
  const window = durationFromMs(windowDays * DAY_MS);
  const { MetricKind, MetricRole, ImprovementDirection } = v1;
  return [
    v1.MetricDefinition.fromPartial({
      key: `paid_within_${windowDays}d`,
      description: `${PAYMENT_EVENT} within ${windowDays} days of the first score`,
      kind: MetricKind.METRIC_KIND_CONVERSION,
      event: PAYMENT_EVENT,
      window,
      role: MetricRole.METRIC_ROLE_PRIMARY,
      direction: ImprovementDirection.IMPROVEMENT_DIRECTION_INCREASE,
    }),
    v1.MetricDefinition.fromPartial({
      key: `paid_amount_${windowDays}d`,
      description: `TWD paid within ${windowDays} days; CUPED with the 30 days before`,
      kind: MetricKind.METRIC_KIND_SUM,
      event: PAYMENT_EVENT,
      property: 'amount',
      window,
      cupedLookback: durationFromMs(30 * DAY_MS),
      role: MetricRole.METRIC_ROLE_SECONDARY,
      direction: ImprovementDirection.IMPROVEMENT_DIRECTION_INCREASE,
    }),
    v1.MetricDefinition.fromPartial({
      key: `line_contacts_${windowDays}d`,
      description: `${LINE_MESSAGE_EVENT} within ${windowDays} days`,
      kind: MetricKind.METRIC_KIND_COUNT,
      event: LINE_MESSAGE_EVENT,
      window,
      role: MetricRole.METRIC_ROLE_GUARDRAIL,
      direction: ImprovementDirection.IMPROVEMENT_DIRECTION_DECREASE,
    }),
  ];
}

/** The definition of an experiment between two pinned versions of one model, over customers. */
export function modelExperiment(plan: ModelExperimentPlan): grpcJs.experiment.v1.Experiment {
  const arm = (arm: ModelArm, control: boolean) =>
    v1.Variant.fromPartial({ key: arm.key, description: arm.description, weight: arm.weight ?? 1, control, model: { modelName: plan.modelName, version: arm.version } });
  return v1.Experiment.fromPartial({
    key: plan.key,
    hypothesis: plan.hypothesis,
    owner: 'collections-analytics',
    unit: 'customer',
    variants: [arm(plan.control, true), arm(plan.treatment, false)],
    metrics: [...(plan.metrics ?? collectionsMetrics())],
  });
}

/**
 * An experiment key for a champion/challenger pair that a rerun cannot collide with: versions only
 * go up, so `<model>-v3-vs-v4` names one pair once (and stays within the key's 63 characters).
 */
export function championChallengerKey(modelName: string, champion: number, challenger: number): string {
  const suffix = `-v${champion}-vs-v${challenger}`;
  return `${modelName.toLowerCase().replace(/[^a-z0-9_-]/g, '-').slice(0, 63 - suffix.length)}${suffix}`;
}

/** Defines the experiment and starts it (both recorded in the experiment service's change log). */
export async function startExperiment(endpoints: PlatformEndpoints, experiment: grpcJs.experiment.v1.Experiment, progress: Progress): Promise<grpcJs.experiment.v1.Experiment> {
  const client = new v1.ExperimentServiceClient(endpoints.experimentGrpc, credentials.createInsecure());
  try {
    await callUnary(client.createExperiment.bind(client), v1.CreateExperimentRequest.fromPartial({ experiment }));
    const { experiment: started } = await callUnary(client.startExperiment.bind(client), v1.StartExperimentRequest.fromPartial({ key: experiment.key }), {
      reason: 'demo scenario: champion against challenger',
    });
    if (started === undefined) throw new Error(`the experiment service started ${experiment.key} but returned no experiment`);
    const arms = started.variants.map((variant) => `${variant.key} → ${variant.model?.modelName} v${variant.model?.version} (weight ${variant.weight}${variant.control ? ', control' : ''})`);
    progress.note(`  ✓ experiment ${started.key} running (revision ${started.revision}): ${arms.join(', ')}`);
    return started;
  } finally {
    client.close();
  }
}
