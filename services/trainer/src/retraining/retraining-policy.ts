import { grpcNest, MODEL_NAME_PATTERN, msFromDuration, type Duration } from '@kuroshio/contracts';
import { DomainError } from '@kuroshio/service-kit';
import { DEFAULT_PSI_THRESHOLD } from '@kuroshio/stats';
import { trainingPlanFromSpec } from '../grpc/training-spec-mapping.js';

type PolicyProto = grpcNest.trainer.v1.RetrainingPolicy;
type TrainingJobSpec = grpcNest.trainer.v1.TrainingJobSpec;
type MetricDefinition = grpcNest.experiment.v1.MetricDefinition;
type Targeting = grpcNest.experiment.v1.Targeting;
type Correction = grpcNest.experiment.v1.MultipleTestingCorrection;

const DAY_MS = 86_400_000;
const Role = grpcNest.experiment.v1.MetricRole;

/** Defaults of the fields the proto leaves unset (documented there). */
export const POLICY_DEFAULTS = {
  trainingWindowMs: 180 * DAY_MS,
  psiThreshold: DEFAULT_PSI_THRESHOLD,
  driftWindowMs: 7 * DAY_MS,
  minDriftSample: 200,
  maxDriftEntities: 1_000,
  weight: 50,
  alpha: 0.05,
  minUnitsPerVariant: 1_000,
  minDurationMs: 7 * DAY_MS,
  maxDurationMs: 30 * DAY_MS,
  owner: 'retraining',
} as const;

export interface DriftSettings {
  readonly psiThreshold: number;
  readonly windowMs: number;
  readonly minSample: number;
  readonly maxEntities: number;
  readonly includeScores: boolean;
}

export interface TriggerSettings {
  /** null: no schedule. */
  readonly maxChampionAgeMs: number | null;
  /** 0: off. */
  readonly minNewLabelledRows: number;
  /** null: off. */
  readonly drift: DriftSettings | null;
}

/** What the analysis must show for the challenger to replace the champion. */
export interface PromotionRule {
  readonly primaryMetric: string;
  readonly guardrailMetrics: readonly string[];
  readonly alpha: number;
  readonly correction: Correction;
  readonly minUnitsPerVariant: number;
  readonly minDurationMs: number;
  readonly maxDurationMs: number;
}

export interface ExperimentSettings {
  readonly metrics: readonly MetricDefinition[];
  readonly championWeight: number;
  readonly challengerWeight: number;
  readonly targeting: Targeting | null;
  readonly owner: string;
  readonly rule: PromotionRule;
}

/** A checked policy with every default applied. */
export interface RetrainingPolicy {
  readonly modelName: string;
  /** The challenger's job: model name set, registration on; time range filled per run. */
  readonly training: TrainingJobSpec;
  readonly trainingWindowMs: number;
  readonly triggers: TriggerSettings;
  readonly experiment: ExperimentSettings;
}

/** Checks a policy as the proto carries it (gRPC or the policies file); every problem in one INVALID_ARGUMENT. */
export function retrainingPolicyFromProto(proto: PolicyProto | null | undefined, where = 'policy'): RetrainingPolicy {
  if (proto === null || proto === undefined) throw invalid(where, ['is required']);
  const problems: string[] = [];
  const modelName = proto.modelName;
  if (!MODEL_NAME_PATTERN.test(modelName)) problems.push(`model_name "${modelName}" must match ${MODEL_NAME_PATTERN}`);
  const training = trainingOf(proto, problems);
  const trainingWindowMs = durationOr(proto.trainingWindow, POLICY_DEFAULTS.trainingWindowMs, 'training_window', problems);
  const triggers = triggersOf(proto, training, problems);
  const experiment = experimentOf(proto.experiment, problems);
  if (problems.length > 0) throw invalid(`${where} for ${modelName || '(no model)'}`, problems);
  return { modelName, training, trainingWindowMs, triggers, experiment: experiment as ExperimentSettings };
}

function trainingOf(proto: PolicyProto, problems: string[]): TrainingJobSpec {
  const spec = proto.training;
  if (spec === null || spec === undefined) {
    problems.push('training (the challenger job spec) is required');
    return {} as TrainingJobSpec;
  }
  if (spec.modelName !== '' && spec.modelName !== proto.modelName) problems.push(`training.model_name "${spec.modelName}" differs from the policy's model_name`);
  const training: TrainingJobSpec = { ...spec, modelName: proto.modelName, registerVersion: true };
  try {
    trainingPlanFromSpec(training);
  } catch (error) {
    problems.push(`training: ${error instanceof Error ? error.message : String(error)}`);
  }
  return training;
}

function triggersOf(proto: PolicyProto, training: TrainingJobSpec, problems: string[]): TriggerSettings {
  const triggers = proto.triggers;
  if (triggers === null || triggers === undefined) {
    problems.push('triggers: at least one of max_champion_age, min_new_labelled_rows or drift is required');
    return { maxChampionAgeMs: null, minNewLabelledRows: 0, drift: null };
  }
  const maxChampionAgeMs = triggers.maxChampionAge ? positiveMs(triggers.maxChampionAge, 'triggers.max_champion_age', problems) : null;
  const minNewLabelledRows = triggers.minNewLabelledRows;
  if (!Number.isSafeInteger(minNewLabelledRows) || minNewLabelledRows < 0) problems.push('triggers.min_new_labelled_rows must be a non-negative integer');
  if (minNewLabelledRows > 0 && !training.labels?.eventLabel) {
    problems.push('triggers.min_new_labelled_rows needs training.labels.event_label: only event labels can be counted as they arrive');
  }
  let drift: DriftSettings | null = null;
  if (triggers.drift) {
    const d = triggers.drift;
    const psiThreshold = d.psiThreshold === 0 ? POLICY_DEFAULTS.psiThreshold : d.psiThreshold;
    if (!(psiThreshold > 0 && Number.isFinite(psiThreshold))) problems.push('triggers.drift.psi_threshold must be a positive number');
    drift = {
      psiThreshold,
      windowMs: durationOr(d.window, POLICY_DEFAULTS.driftWindowMs, 'triggers.drift.window', problems),
      minSample: d.minSample === 0 ? POLICY_DEFAULTS.minDriftSample : d.minSample,
      maxEntities: d.maxEntities === 0 ? POLICY_DEFAULTS.maxDriftEntities : d.maxEntities,
      includeScores: d.includeScores,
    };
    if (drift.maxEntities < drift.minSample) problems.push(`triggers.drift.max_entities (${drift.maxEntities}) is below min_sample (${drift.minSample})`);
  }
  if (maxChampionAgeMs === null && minNewLabelledRows === 0 && drift === null) {
    problems.push('triggers: at least one of max_champion_age, min_new_labelled_rows or drift is required');
  }
  return { maxChampionAgeMs, minNewLabelledRows, drift };
}

function experimentOf(proto: PolicyProto['experiment'], problems: string[]): ExperimentSettings | null {
  if (proto === null || proto === undefined) {
    problems.push('experiment is required');
    return null;
  }
  const primaries = proto.metrics.filter((m) => m.role === Role.METRIC_ROLE_PRIMARY);
  if (primaries.length !== 1) problems.push(`experiment.metrics needs exactly one PRIMARY metric, found ${primaries.length}`);
  const keys = proto.metrics.map((m) => m.key);
  if (new Set(keys).size !== keys.length) problems.push('experiment.metrics keys must be unique');
  const alpha = proto.alpha ?? POLICY_DEFAULTS.alpha;
  if (!(alpha > 0 && alpha < 0.5)) problems.push(`experiment.alpha must be in (0, 0.5), got ${alpha}`);
  const minUnitsPerVariant = proto.minUnitsPerVariant === 0 ? POLICY_DEFAULTS.minUnitsPerVariant : proto.minUnitsPerVariant;
  const minDurationMs = durationOr(proto.minDuration, POLICY_DEFAULTS.minDurationMs, 'experiment.min_duration', problems, true);
  const maxDurationMs = durationOr(proto.maxDuration, POLICY_DEFAULTS.maxDurationMs, 'experiment.max_duration', problems);
  if (maxDurationMs < minDurationMs) problems.push('experiment.max_duration is shorter than min_duration');
  const correction = proto.correction === grpcNest.experiment.v1.MultipleTestingCorrection.MULTIPLE_TESTING_CORRECTION_UNSPECIFIED
    ? grpcNest.experiment.v1.MultipleTestingCorrection.MULTIPLE_TESTING_CORRECTION_HOLM
    : proto.correction;
  // Metric definitions themselves (events, windows, filters) are checked by the experiment service
  // when the experiment is created; a bad one fails that run with its INVALID_ARGUMENT.
  return {
    metrics: proto.metrics,
    championWeight: proto.championWeight === 0 ? POLICY_DEFAULTS.weight : proto.championWeight,
    challengerWeight: proto.challengerWeight === 0 ? POLICY_DEFAULTS.weight : proto.challengerWeight,
    targeting: proto.targeting ?? null,
    owner: proto.owner === '' ? POLICY_DEFAULTS.owner : proto.owner,
    rule: {
      primaryMetric: primaries[0]?.key ?? '',
      guardrailMetrics: proto.metrics.filter((m) => m.role === Role.METRIC_ROLE_GUARDRAIL).map((m) => m.key),
      alpha,
      correction,
      minUnitsPerVariant,
      minDurationMs,
      maxDurationMs,
    },
  };
}

function durationOr(value: Duration | null | undefined, fallback: number, field: string, problems: string[], zeroAllowed = false): number {
  if (value === null || value === undefined) return fallback;
  const ms = msFromDuration(value);
  if (!(Number.isFinite(ms) && (ms > 0 || (zeroAllowed && ms === 0)))) problems.push(`${field} must be ${zeroAllowed ? 'zero or ' : ''}positive`);
  return ms;
}

function positiveMs(value: Duration, field: string, problems: string[]): number {
  return durationOr(value, 0, field, problems);
}

function invalid(where: string, problems: readonly string[]): DomainError {
  return new DomainError('INVALID_ARGUMENT', `invalid retraining ${where}: ${problems.join('; ')}`, { reason: 'invalid_policy', details: { problems } });
}
