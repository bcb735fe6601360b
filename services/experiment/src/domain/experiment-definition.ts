// An experiment as the service keeps it: checked once (experiment-input.ts), then immutable.

export const FILTER_OPERATORS = [
  'equals',
  'not_equals',
  'in',
  'not_in',
  'greater_than',
  'greater_than_or_equal',
  'less_than',
  'less_than_or_equal',
  'exists',
  'not_exists',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export type ScalarValue = string | number | boolean;

/** A condition on one property of an event (or one trait of a unit); `path` is dotted. */
export interface PropertyFilter {
  readonly path: string;
  readonly operator: FilterOperator;
  readonly values: readonly ScalarValue[];
}

export interface ModelTarget {
  readonly modelName: string;
  readonly version: number;
}

export interface VariantSpec {
  readonly key: string;
  readonly description: string;
  readonly weight: number;
  readonly control: boolean;
  readonly model: ModelTarget | null;
}

export interface TargetingSpec {
  readonly traitFilters: readonly PropertyFilter[];
  /** Share of eligible units in the experiment, (0, 1]; 1 when the request left it unset. */
  readonly trafficFraction: number;
}

export const METRIC_KINDS = ['conversion', 'sum', 'count'] as const;
export type MetricKind = (typeof METRIC_KINDS)[number];
export const METRIC_ROLES = ['primary', 'secondary', 'guardrail'] as const;
export type MetricRole = (typeof METRIC_ROLES)[number];
export const DIRECTIONS = ['increase', 'decrease'] as const;
export type ImprovementDirection = (typeof DIRECTIONS)[number];

export interface MetricSpec {
  readonly key: string;
  readonly description: string;
  readonly kind: MetricKind;
  /** Track event name, e.g. "Carrier Billing Payment". */
  readonly event: string;
  /** Numeric property summed (kind `sum`), '' otherwise. */
  readonly property: string;
  readonly filters: readonly PropertyFilter[];
  /** Events count this long after the unit's first exposure; null: until the analysis instant. */
  readonly windowMs: number | null;
  readonly role: MetricRole;
  readonly direction: ImprovementDirection;
  /** Pre-exposure period of the CUPED covariate; null disables CUPED. */
  readonly cupedLookbackMs: number | null;
}

export interface ExperimentSpec {
  readonly key: string;
  readonly hypothesis: string;
  readonly description: string;
  readonly owner: string;
  readonly unit: string;
  readonly salt: string;
  readonly variants: readonly VariantSpec[];
  readonly targeting: TargetingSpec;
  readonly metrics: readonly MetricSpec[];
}

export const EXPERIMENT_STATES = ['draft', 'running', 'stopped'] as const;
export type ExperimentState = (typeof EXPERIMENT_STATES)[number];

/** The control variant of a checked spec (exactly one exists). */
export function controlOf(spec: ExperimentSpec): VariantSpec {
  const control = spec.variants.find((variant) => variant.control);
  if (control === undefined) throw new Error(`experiment ${spec.key} has no control variant`);
  return control;
}

/**
 * The analyst view's name: `experiment_` and the key with hyphens as underscores. Two keys that
 * differ only there would share it, so creating the second is refused (experiment-state.ts).
 */
export function analystViewName(key: string): string {
  return `experiment_${key.replace(/-/g, '_')}`;
}
