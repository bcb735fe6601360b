import { checkPlan, AssignmentError } from '@kuroshio/assignment';
import { EXPERIMENT_KEY_PATTERN, MODEL_NAME_PATTERN } from '@kuroshio/contracts';
import {
  DIRECTIONS,
  FILTER_OPERATORS,
  METRIC_KINDS,
  METRIC_ROLES,
  type ExperimentSpec,
  type MetricSpec,
  type ModelTarget,
  type PropertyFilter,
  type ScalarValue,
  type TargetingSpec,
  type VariantSpec,
} from './experiment-definition.js';
import { invalidArgument } from './experiment-errors.js';
import { checkName, checkText, TEXT_LIMITS } from './text-rules.js';

// What CreateExperiment may define. Every name that later reaches SQL (metric keys, event names,
// property paths) or a Kafka record (variant keys) is checked here, once, before it is stored.

/** Metric keys, e.g. "paid_within_30d". */
export const METRIC_KEY_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;
/** Variant keys, e.g. "champion" (the exposure contract allows 64 characters). */
export const VARIANT_KEY_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;
/** Dotted property or trait paths, e.g. "payment.method". */
export const PROPERTY_PATH_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,4}$/;
const SALT_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

export const DEFINITION_LIMITS = {
  variants: 10,
  metrics: 20,
  filters: 20,
  operands: 100,
  weight: 1_000_000,
  maxDurationMs: 366 * 24 * 3_600_000,
} as const;

/** The only randomisation unit analysis supports: events join on customer_id. */
export const SUPPORTED_UNITS = ['customer'] as const;

/** A definition as the transport decoded it; nothing checked yet. Enums arrive as domain names or null. */
export interface ExperimentInput {
  readonly key: string;
  readonly hypothesis: string;
  readonly description: string;
  readonly owner: string;
  readonly unit: string;
  readonly salt: string;
  readonly variants: readonly VariantInput[];
  readonly targeting: { readonly traitFilters: readonly FilterInput[]; readonly trafficFraction: number | null };
  readonly metrics: readonly MetricInput[];
}

export interface VariantInput {
  readonly key: string;
  readonly description: string;
  readonly weight: number;
  readonly control: boolean;
  readonly model: { readonly modelName: string; readonly version: number } | null;
}

export interface FilterInput {
  readonly path: string;
  readonly operator: string | null;
  readonly values: readonly (ScalarValue | null)[];
}

export interface MetricInput {
  readonly key: string;
  readonly description: string;
  readonly kind: string | null;
  readonly event: string;
  readonly property: string;
  readonly filters: readonly FilterInput[];
  readonly windowMs: number | null;
  readonly role: string | null;
  readonly direction: string | null;
  readonly cupedLookbackMs: number | null;
}

export function checkExperimentKey(value: unknown, field = 'key'): string {
  return checkName(field, value, EXPERIMENT_KEY_PATTERN, 'an experiment key (lower-case letters, digits, - and _, starting with a letter, at most 63)', 'invalid_experiment_key');
}

/** Checks a whole definition; `newSalt` fills an empty salt. */
export function checkExperimentInput(input: ExperimentInput, newSalt: () => string): ExperimentSpec {
  const key = checkExperimentKey(input.key);
  const unit = input.unit === '' ? 'customer' : input.unit;
  if (!(SUPPORTED_UNITS as readonly string[]).includes(unit)) {
    throw invalidArgument(`unit ${JSON.stringify(String(unit).slice(0, 40))} is not supported; the unit is "customer" (analysis joins events on customer_id)`, 'unsupported_unit', { field: 'unit' });
  }
  const salt = input.salt === '' ? newSalt() : checkName('salt', input.salt, SALT_PATTERN, 'a salt (1-64 of A-Z a-z 0-9 . _ : -)', 'invalid_salt');
  const spec: ExperimentSpec = {
    key,
    hypothesis: checkText('hypothesis', input.hypothesis, { max: TEXT_LIMITS.hypothesis, multiline: true, required: true }),
    description: checkText('description', input.description, { max: TEXT_LIMITS.description, multiline: true }),
    owner: checkText('owner', input.owner.trim(), { max: TEXT_LIMITS.owner }),
    unit,
    salt,
    variants: checkVariants(input.variants),
    targeting: checkTargeting(input.targeting),
    metrics: checkMetrics(input.metrics),
  };
  try {
    checkPlan({ key: spec.key, salt: spec.salt, variants: spec.variants.map((v) => ({ name: v.key, weight: v.weight })), trafficAllocation: spec.targeting.trafficFraction });
  } catch (error) {
    if (error instanceof AssignmentError) throw invalidArgument(`the experiment cannot assign units: ${error.message}`, 'invalid_assignment_plan');
    throw error;
  }
  return spec;
}

function checkVariants(variants: readonly VariantInput[]): VariantSpec[] {
  if (variants.length < 2 || variants.length > DEFINITION_LIMITS.variants) {
    throw invalidArgument(`an experiment needs 2 to ${DEFINITION_LIMITS.variants} variants, got ${variants.length}`, 'invalid_variants', { field: 'variants' });
  }
  const seen = new Set<string>();
  const checked = variants.map((variant, i): VariantSpec => {
    const field = `variants[${i}]`;
    const key = checkName(`${field}.key`, variant.key, VARIANT_KEY_PATTERN, 'a variant key (lower-case letters, digits, - and _, starting with a letter, at most 64)', 'invalid_variant_key');
    if (seen.has(key)) throw invalidArgument(`variant ${key} appears twice`, 'duplicate_variant', { field });
    seen.add(key);
    if (!Number.isInteger(variant.weight) || variant.weight < 1 || variant.weight > DEFINITION_LIMITS.weight) {
      throw invalidArgument(`${field}.weight must be a whole number from 1 to ${DEFINITION_LIMITS.weight}, got ${variant.weight}`, 'invalid_weight', { field });
    }
    return {
      key,
      description: checkText(`${field}.description`, variant.description, { max: TEXT_LIMITS.description, multiline: true }),
      weight: variant.weight,
      control: variant.control === true,
      model: variant.model === null ? null : checkModel(variant.model, `${field}.model`),
    };
  });
  const controls = checked.filter((variant) => variant.control).length;
  if (controls !== 1) throw invalidArgument(`exactly one variant must be the control, ${controls} are`, 'invalid_control', { field: 'variants' });
  return checked;
}

function checkModel(model: { modelName: string; version: number }, field: string): ModelTarget | null {
  // An empty ModelTarget (both fields at their defaults) means "no model".
  if (model.modelName === '' && model.version === 0) return null;
  const modelName = checkName(`${field}.model_name`, model.modelName, MODEL_NAME_PATTERN, 'a model name', 'invalid_model_name');
  if (!Number.isInteger(model.version) || model.version < 1 || model.version > 0xffff_ffff) {
    throw invalidArgument(`${field}.version must be a version number from 1`, 'invalid_model_version', { field });
  }
  return { modelName, version: model.version };
}

function checkTargeting(targeting: ExperimentInput['targeting']): TargetingSpec {
  const fraction = targeting.trafficFraction;
  if (fraction !== null && !(Number.isFinite(fraction) && fraction > 0 && fraction <= 1)) {
    throw invalidArgument(`targeting.traffic_fraction must be in (0, 1], got ${fraction}`, 'invalid_traffic_fraction', { field: 'targeting.traffic_fraction' });
  }
  return { traitFilters: checkFilters(targeting.traitFilters, 'targeting.trait_filters'), trafficFraction: fraction ?? 1 };
}

export function checkFilters(filters: readonly FilterInput[], field: string): PropertyFilter[] {
  if (filters.length > DEFINITION_LIMITS.filters) throw invalidArgument(`${field}: at most ${DEFINITION_LIMITS.filters} filters`, 'too_many_filters', { field });
  return filters.map((filter, i) => checkFilter(filter, `${field}[${i}]`));
}

function checkFilter(filter: FilterInput, field: string): PropertyFilter {
  const path = checkName(`${field}.path`, filter.path, PROPERTY_PATH_PATTERN, 'a dotted property path (letters, digits and _, at most 5 levels)', 'invalid_property_path');
  const operator = FILTER_OPERATORS.find((op) => op === filter.operator);
  if (operator === undefined) throw invalidArgument(`${field}.operator is missing or unknown`, 'invalid_filter_operator', { field });
  if (filter.values.length > DEFINITION_LIMITS.operands) throw invalidArgument(`${field}: at most ${DEFINITION_LIMITS.operands} values`, 'too_many_values', { field });
  const values = filter.values.map((value, i) => checkOperand(value, `${field}.values[${i}]`));
  const count = values.length;
  const wanted = operator === 'exists' || operator === 'not_exists' ? count === 0 : operator === 'in' || operator === 'not_in' ? count >= 1 : count === 1;
  if (!wanted) throw invalidArgument(`${field}: ${operator} takes ${operator.endsWith('exists') ? 'no values' : operator.endsWith('in') ? 'one or more values' : 'exactly one value'}, got ${count}`, 'invalid_filter_values', { field });
  if (operator.startsWith('greater') || operator.startsWith('less')) {
    if (typeof values[0] === 'boolean') throw invalidArgument(`${field}: ${operator} compares numbers or text, not a flag`, 'invalid_filter_values', { field });
  }
  return { path, operator, values };
}

function checkOperand(value: ScalarValue | null, field: string): ScalarValue {
  if (value === null) throw invalidArgument(`${field} is empty (null)`, 'invalid_filter_values', { field });
  if (typeof value === 'number' && !Number.isFinite(value)) throw invalidArgument(`${field} must be a finite number, got ${value}`, 'invalid_filter_values', { field });
  if (typeof value === 'string') return checkText(field, value, { max: TEXT_LIMITS.stringOperand });
  return value;
}

function checkMetrics(metrics: readonly MetricInput[]): MetricSpec[] {
  if (metrics.length < 1 || metrics.length > DEFINITION_LIMITS.metrics) {
    throw invalidArgument(`an experiment needs 1 to ${DEFINITION_LIMITS.metrics} metrics, got ${metrics.length}`, 'invalid_metrics', { field: 'metrics' });
  }
  const seen = new Set<string>();
  return metrics.map((metric, i) => {
    const checked = checkMetric(metric, `metrics[${i}]`);
    if (seen.has(checked.key)) throw invalidArgument(`metric ${checked.key} appears twice`, 'duplicate_metric', { field: `metrics[${i}]` });
    seen.add(checked.key);
    return checked;
  });
}

function checkMetric(metric: MetricInput, field: string): MetricSpec {
  const key = checkName(`${field}.key`, metric.key, METRIC_KEY_PATTERN, 'a metric key (lower-case letters, digits and _, starting with a letter, at most 63)', 'invalid_metric_key');
  const kind = METRIC_KINDS.find((k) => k === metric.kind);
  if (kind === undefined) throw invalidArgument(`${field}.kind is missing or unknown (conversion, sum or count)`, 'invalid_metric_kind', { field });
  const event = checkText(`${field}.event`, metric.event, { max: TEXT_LIMITS.event, required: true });
  let property = '';
  if (kind === 'sum') property = checkName(`${field}.property`, metric.property, PROPERTY_PATH_PATTERN, 'a dotted property path (the numeric property summed)', 'invalid_property_path');
  else if (metric.property !== '') throw invalidArgument(`${field}.property is only for sum metrics`, 'invalid_property_path', { field });
  return {
    key,
    description: checkText(`${field}.description`, metric.description, { max: TEXT_LIMITS.description, multiline: true }),
    kind,
    event,
    property,
    filters: checkFilters(metric.filters, `${field}.filters`),
    windowMs: checkDuration(metric.windowMs, `${field}.window`),
    role: METRIC_ROLES.find((r) => r === metric.role) ?? 'secondary',
    direction: DIRECTIONS.find((d) => d === metric.direction) ?? 'increase',
    cupedLookbackMs: checkDuration(metric.cupedLookbackMs, `${field}.cuped_lookback`),
  };
}

function checkDuration(ms: number | null, field: string): number | null {
  if (ms === null) return null;
  if (!Number.isFinite(ms) || ms < 1_000 || ms > DEFINITION_LIMITS.maxDurationMs) {
    throw invalidArgument(`${field} must be from 1 s to 366 days, got ${ms} ms`, 'invalid_duration', { field });
  }
  return Math.round(ms);
}
