import { dateFromTimestamp, grpcNest, msFromDuration, MODEL_NAME_PATTERN } from '@kuroshio/contracts';
import { DomainError } from '@kuroshio/service-kit';
import { DEFAULT_NGRAM_HASHING } from '@kuroshio/model-runtime';
import { DEFAULT_SPLIT, type SplitRule } from '../dataset/time-split.js';
import type { QuantizationDtype } from '../artifacts/weight-quantization.js';
import { batchValuesProblem } from '../model/batch-values.js';
import type { ModelFamily } from '../model/model-family.js';
import { trainingSetReference } from '../training-set/training-set-loader.js';
import { defaultHyperparameters, type PlannedFeature, type ResolvedHyperparameters, type TrainingPlan } from '../jobs/training-plan.js';

type Spec = grpcNest.trainer.v1.TrainingJobSpec;
const Family = grpcNest.trainer.v1.ModelFamily;
const Weighting = grpcNest.trainer.v1.ClassWeighting;
const Quant = grpcNest.trainer.v1.Quantization;

const MAX_HASH_BUCKETS = 1 << 20;

/** Validates a submitted spec and applies the trainer's defaults; every problem is listed in one INVALID_ARGUMENT. */
export function trainingPlanFromSpec(spec: Spec | null | undefined): TrainingPlan {
  const problems: string[] = [];
  if (spec === null || spec === undefined) throw invalid(['spec is required']);
  if (!MODEL_NAME_PATTERN.test(spec.modelName)) problems.push(`model_name "${spec.modelName}" must match ${MODEL_NAME_PATTERN}`);
  const family = familyOf(spec.modelFamily, problems);
  const features = spec.features.map((ref): PlannedFeature => ({ featureView: ref.featureView, feature: ref.feature, version: ref.version }));
  features.forEach((f, i) => {
    if (f.featureView === '' || f.feature === '') problems.push(`features[${i}] needs feature_view and feature`);
  });
  if (spec.trainingSet !== '') {
    try {
      trainingSetReference(spec.trainingSet);
    } catch (error) {
      problems.push((error as Error).message);
    }
  } else {
    const labels = spec.labels;
    if (labels === null || labels === undefined || (!labels.eventLabel && !labels.rows && !labels.rowsUri)) problems.push('labels are required unless training_set names an existing export');
    if (features.length === 0) problems.push('features are required unless training_set names an existing export');
  }
  const split = splitOf(spec, problems);
  const hyperparameters = hyperparametersOf(spec, family, problems);
  // Known before the training set is read: the hashed text width and one input per named feature
  // (missing-value indicators and unnamed features only add to it; the job checks the real width).
  const batchProblem = batchValuesProblem(hyperparameters.batchSize, (hyperparameters.text?.buckets ?? 0) + features.length);
  if (batchProblem !== undefined) problems.push(`hyperparameters: ${batchProblem}`);
  const threshold = spec.decisionThreshold === 0 ? 0.5 : spec.decisionThreshold;
  if (!(threshold > 0 && threshold < 1)) problems.push('decision_threshold must be between 0 and 1');
  const quantizations = [...new Set(spec.quantizations.map((q) => quantizationOf(q, problems)))].filter((q): q is QuantizationDtype => q !== undefined);
  if (problems.length > 0) throw invalid(problems);
  return {
    modelName: spec.modelName,
    features,
    labels: spec.labels ?? null,
    timeRange: spec.timeRange ?? null,
    split,
    family: family as ModelFamily,
    hyperparameters,
    seed: spec.seed,
    decisionThreshold: threshold,
    quantizations,
    registerVersion: spec.registerVersion,
    description: spec.description,
    trainingSet: spec.trainingSet,
  };
}

function familyOf(value: grpcNest.trainer.v1.ModelFamily, problems: string[]): ModelFamily | undefined {
  switch (value) {
    case Family.MODEL_FAMILY_LOGISTIC_REGRESSION:
      return 'logistic_regression';
    case Family.MODEL_FAMILY_MLP:
      return 'mlp';
    case Family.MODEL_FAMILY_TEXT_CLASSIFIER:
      return 'text_classifier';
    default:
      problems.push('model_family is required');
      return undefined;
  }
}

function splitOf(spec: Spec, problems: string[]): SplitRule {
  const split = spec.split;
  const boundaries = splitBoundariesOf(split, problems);
  if (split?.embargo === null || split?.embargo === undefined) return boundaries;
  const embargoMs = msFromDuration(split.embargo);
  if (!(embargoMs >= 0 && Number.isFinite(embargoMs))) {
    problems.push('split.embargo must be a non-negative duration');
    return boundaries;
  }
  return { ...boundaries, embargoMs };
}

function splitBoundariesOf(split: Spec['split'], problems: string[]): SplitRule {
  if (split?.times) {
    const { validationStart, testStart } = split.times;
    if (!validationStart || !testStart) {
      problems.push('split.times needs validation_start and test_start');
      return DEFAULT_SPLIT;
    }
    const rule: SplitRule = { kind: 'times', validationStartMs: dateFromTimestamp(validationStart).getTime(), testStartMs: dateFromTimestamp(testStart).getTime() };
    if (rule.validationStartMs > rule.testStartMs) problems.push('split.times.validation_start must not be after test_start');
    return rule;
  }
  if (split?.fractions) {
    const { validation, test } = split.fractions;
    if (!(validation >= 0 && test > 0 && validation + test < 1)) problems.push('split.fractions need validation >= 0, test > 0 and validation + test < 1');
    return { kind: 'fractions', validation, test };
  }
  return DEFAULT_SPLIT;
}

function hyperparametersOf(spec: Spec, family: ModelFamily | undefined, problems: string[]): ResolvedHyperparameters {
  const given = spec.hyperparameters;
  const defaults = defaultHyperparameters(family ?? 'mlp');
  const pick = (value: number | null | undefined, fallback: number) => (value === null || value === undefined ? fallback : value);
  const resolved = {
    epochs: pick(given?.epochs, defaults.epochs),
    batchSize: pick(given?.batchSize, defaults.batchSize),
    learningRate: pick(given?.learningRate, defaults.learningRate),
    hiddenUnits: family === 'logistic_regression' ? [] : given !== null && given !== undefined && given.hiddenUnits.length > 0 ? [...given.hiddenUnits] : [...defaults.hiddenUnits],
    dropout: pick(given?.dropout, defaults.dropout),
    l2: pick(given?.l2, defaults.l2),
    earlyStoppingPatience: pick(given?.earlyStoppingPatience, defaults.earlyStoppingPatience),
    classWeighting:
      given?.classWeighting === Weighting.CLASS_WEIGHTING_BALANCED ? ('balanced' as const) : given?.classWeighting === Weighting.CLASS_WEIGHTING_NONE ? ('none' as const) : defaults.classWeighting,
    text: null as ResolvedHyperparameters['text'],
  };
  if (!(resolved.epochs >= 1 && resolved.epochs <= 10_000)) problems.push('hyperparameters.epochs must be 1..10000');
  if (!(resolved.batchSize >= 1 && resolved.batchSize <= 65_536)) problems.push('hyperparameters.batch_size must be 1..65536');
  if (!(resolved.learningRate > 0 && resolved.learningRate < 10)) problems.push('hyperparameters.learning_rate must be in (0, 10)');
  if (!(resolved.dropout >= 0 && resolved.dropout < 1)) problems.push('hyperparameters.dropout must be in [0, 1)');
  if (!(resolved.l2 >= 0)) problems.push('hyperparameters.l2 must not be negative');
  if (resolved.hiddenUnits.some((units) => !(units >= 1 && units <= 4096))) problems.push('hyperparameters.hidden_units must each be 1..4096');
  if (family === 'text_classifier') {
    const text = given?.text;
    const [featureView, feature, ...rest] = (text?.feature ?? '').split(':');
    if (!featureView || !feature || rest.length > 0) problems.push('hyperparameters.text.feature must be "<feature_view>:<feature>" for the text classifier');
    const hashing = {
      ngramMin: pick(text?.ngramMin, DEFAULT_NGRAM_HASHING.ngramMin),
      ngramMax: pick(text?.ngramMax, DEFAULT_NGRAM_HASHING.ngramMax),
      buckets: pick(text?.hashBuckets, DEFAULT_NGRAM_HASHING.buckets),
    };
    if (!(hashing.ngramMin >= 1 && hashing.ngramMax >= hashing.ngramMin && hashing.ngramMax <= 8)) problems.push('hyperparameters.text needs 1 <= ngram_min <= ngram_max <= 8');
    if (!(hashing.buckets >= 2 && hashing.buckets <= MAX_HASH_BUCKETS)) problems.push(`hyperparameters.text.hash_buckets must be 2..${MAX_HASH_BUCKETS}`);
    resolved.text = { ...hashing, feature: { featureView: featureView ?? '', feature: feature ?? '', version: 0 } };
  }
  return resolved;
}

function quantizationOf(value: grpcNest.trainer.v1.Quantization, problems: string[]): QuantizationDtype | undefined {
  if (value === Quant.QUANTIZATION_UINT8) return 'uint8';
  if (value === Quant.QUANTIZATION_FLOAT16) return 'float16';
  problems.push(`unsupported quantization ${value}`);
  return undefined;
}

function invalid(problems: string[]): DomainError {
  return new DomainError('INVALID_ARGUMENT', `invalid training job: ${problems.join('; ')}`, { reason: 'invalid_training_job', details: { problems } });
}
