import { durationFromMs, grpcNest } from '@kuroshio/contracts';

const T = grpcNest.trainer.v1;
const E = grpcNest.experiment.v1;
const DAY = 86_400_000;

type PolicyProto = grpcNest.trainer.v1.RetrainingPolicy;
type Metric = grpcNest.experiment.v1.MetricDefinition;

/** A metric definition with every field set (the loader's shape). */
export function metric(key: string, role: grpcNest.experiment.v1.MetricRole, direction = E.ImprovementDirection.IMPROVEMENT_DIRECTION_INCREASE, event = 'Plan Upgrade'): Metric {
  return {
    key,
    description: '',
    kind: E.MetricKind.METRIC_KIND_CONVERSION,
    event,
    property: '',
    filters: [],
    window: durationFromMs(7 * DAY),
    role,
    direction,
    cupedLookback: null,
  };
}

/** The event label the fixtures train on: an offer, positive when the customer upgrades within 7 days. */
export function offerLabel(): grpcNest.features.v1.LabelSource {
  return {
    eventLabel: {
      anchorEvent: 'Plan Offer',
      anchorFilters: [],
      outcomeEvent: 'Plan Upgrade',
      correlationProperty: '',
      deadlineProperty: '',
      outcomeWindow: durationFromMs(7 * DAY),
      positiveWhen: grpcNest.features.v1.LabelPolarity.LABEL_POLARITY_OUTCOME_PRESENT,
    },
    rows: null,
  };
}

/** A valid policy in the shape the gRPC transport decodes (every trigger on). */
export function policyProto(overrides: Partial<PolicyProto> = {}): PolicyProto {
  return {
    modelName: 'upsell',
    training: {
      modelName: '',
      features: [{ featureView: 'usage', feature: 'data_mb_30d', version: 1 }],
      labels: offerLabel(),
      timeRange: null,
      split: null,
      modelFamily: T.ModelFamily.MODEL_FAMILY_LOGISTIC_REGRESSION,
      hyperparameters: null,
      seed: 7,
      decisionThreshold: 0,
      quantizations: [],
      registerVersion: false,
      description: '',
      trainingSet: '',
    },
    trainingWindow: durationFromMs(90 * DAY),
    triggers: {
      maxChampionAge: durationFromMs(30 * DAY),
      minNewLabelledRows: 500,
      drift: { psiThreshold: 0.2, window: durationFromMs(7 * DAY), minSample: 100, maxEntities: 1_000, includeScores: true },
    },
    experiment: {
      metrics: [metric('upgraded_7d', E.MetricRole.METRIC_ROLE_PRIMARY), metric('complaints', E.MetricRole.METRIC_ROLE_GUARDRAIL, E.ImprovementDirection.IMPROVEMENT_DIRECTION_DECREASE, 'Complaint')],
      championWeight: 0,
      challengerWeight: 0,
      targeting: null,
      alpha: null,
      correction: E.MultipleTestingCorrection.MULTIPLE_TESTING_CORRECTION_UNSPECIFIED,
      minUnitsPerVariant: 1_000,
      minDuration: durationFromMs(0),
      maxDuration: durationFromMs(14 * DAY),
      owner: '',
    },
    ...overrides,
  };
}
