import { grpcNest, msFromDuration, durationFromMs, timestampFromDate, type Duration, type Timestamp } from '@kuroshio/contracts';
import { assertUnreachable } from '@kuroshio/service-kit';
import type { Correction } from '../analysis/multiple-testing.js';
import type { InProgressConversions } from '../analysis/sufficient-statistics-sql.js';
import type { ExperimentResults, Interval, SampleRatioCheck } from '../analysis/results-model.js';
import type { ExperimentState, FilterOperator, PropertyFilter, ScalarValue } from '../domain/experiment-definition.js';
import type { AssignOutcome } from '../domain/experiment-catalog.js';
import type { ExperimentInput, FilterInput } from '../domain/experiment-input.js';
import type { ExperimentEntry } from '../domain/experiment-state.js';

// Domain records <-> the generated NestJS message types (proto-loader hands enums by name). Nothing here decides anything.

type V1 = typeof grpcNest.experiment.v1;
const v1: V1 = grpcNest.experiment.v1;

const time = (ms: number): Timestamp => timestampFromDate(new Date(ms));

/** Epoch ms of a Timestamp, null when unset. */
export function msOf(timestamp: Timestamp | null | undefined): number | null {
  if (timestamp === null || timestamp === undefined) return null;
  return Number(timestamp.seconds) * 1000 + Math.floor(Number(timestamp.nanos) / 1_000_000);
}

function durationMs(duration: Duration | null | undefined): number | null {
  if (duration === null || duration === undefined) return null;
  return msFromDuration({ seconds: Number(duration.seconds), nanos: Number(duration.nanos) });
}

/** Enum name without its prefix, lower-cased: METRIC_KIND_SUM -> sum; unspecified or unknown -> null. */
function enumName(value: unknown, prefix: string): string | null {
  if (typeof value !== 'string' || !value.startsWith(prefix)) return null;
  const name = value.slice(prefix.length).toLowerCase();
  return name === 'unspecified' ? null : name;
}

function enumValue<T>(prefix: string, name: string): T {
  return `${prefix}${name.toUpperCase()}` as T;
}

function scalarOf(value: grpcNest.common.v1.ScalarValue | null | undefined): ScalarValue | null {
  if (value === null || value === undefined) return null;
  if (value.stringValue !== undefined && value.stringValue !== null) return value.stringValue;
  if (value.doubleValue !== undefined && value.doubleValue !== null) return Number(value.doubleValue);
  if (value.int64Value !== undefined && value.int64Value !== null) return Number(value.int64Value);
  if (value.boolValue !== undefined && value.boolValue !== null) return value.boolValue;
  return null;
}

function protoScalar(value: ScalarValue): grpcNest.common.v1.ScalarValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return Number.isInteger(value) ? { int64Value: value } : { doubleValue: value };
}

function filterInputs(filters: readonly grpcNest.common.v1.PropertyFilter[] | null | undefined): FilterInput[] {
  return (filters ?? []).map((filter) => ({
    path: filter.path ?? '',
    operator: enumName(filter.operator, 'FILTER_OPERATOR_'),
    values: (filter.values ?? []).map(scalarOf),
  }));
}

function protoFilter(filter: PropertyFilter): grpcNest.common.v1.PropertyFilter {
  return { path: filter.path, operator: enumValue<grpcNest.common.v1.FilterOperator>('FILTER_OPERATOR_', filter.operator satisfies FilterOperator), values: filter.values.map(protoScalar) };
}

export function experimentInput(experiment: grpcNest.experiment.v1.Experiment | null | undefined): ExperimentInput {
  const e = experiment ?? ({} as Partial<grpcNest.experiment.v1.Experiment>);
  return {
    key: e.key ?? '',
    hypothesis: e.hypothesis ?? '',
    description: e.description ?? '',
    owner: e.owner ?? '',
    unit: e.unit ?? '',
    salt: e.salt ?? '',
    variants: (e.variants ?? []).map((variant) => ({
      key: variant.key ?? '',
      description: variant.description ?? '',
      weight: Number(variant.weight ?? 0),
      control: variant.control === true,
      model: variant.model === null || variant.model === undefined ? null : { modelName: variant.model.modelName ?? '', version: Number(variant.model.version ?? 0) },
    })),
    targeting: {
      traitFilters: filterInputs(e.targeting?.traitFilters),
      trafficFraction: e.targeting?.trafficFraction === null || e.targeting?.trafficFraction === undefined ? null : Number(e.targeting.trafficFraction),
    },
    metrics: (e.metrics ?? []).map((metric) => ({
      key: metric.key ?? '',
      description: metric.description ?? '',
      kind: enumName(metric.kind, 'METRIC_KIND_'),
      event: metric.event ?? '',
      property: metric.property ?? '',
      filters: filterInputs(metric.filters),
      windowMs: durationMs(metric.window),
      role: enumName(metric.role, 'METRIC_ROLE_'),
      direction: enumName(metric.direction, 'IMPROVEMENT_DIRECTION_'),
      cupedLookbackMs: durationMs(metric.cupedLookback),
    })),
  };
}

export function protoState(state: ExperimentState): grpcNest.experiment.v1.ExperimentState {
  return enumValue('EXPERIMENT_STATE_', state);
}

/** States of a ListExperiments request; unknown values come back as themselves so the domain refuses them. */
export function domainStates(states: readonly unknown[] | null | undefined): ExperimentState[] {
  return (states ?? []).map((state) => (enumName(state, 'EXPERIMENT_STATE_') ?? String(state)) as ExperimentState);
}

export function protoExperiment(entry: ExperimentEntry): grpcNest.experiment.v1.Experiment {
  const { spec } = entry;
  return {
    key: spec.key,
    hypothesis: spec.hypothesis,
    description: spec.description,
    owner: spec.owner,
    unit: spec.unit,
    salt: spec.salt,
    variants: spec.variants.map((variant) => ({ key: variant.key, description: variant.description, weight: variant.weight, control: variant.control, model: variant.model === null ? null : { ...variant.model } })),
    targeting: { traitFilters: spec.targeting.traitFilters.map(protoFilter), trafficFraction: spec.targeting.trafficFraction },
    metrics: spec.metrics.map((metric) => ({
      key: metric.key,
      description: metric.description,
      kind: enumValue('METRIC_KIND_', metric.kind),
      event: metric.event,
      property: metric.property,
      filters: metric.filters.map(protoFilter),
      window: metric.windowMs === null ? null : durationFromMs(metric.windowMs),
      role: enumValue('METRIC_ROLE_', metric.role),
      direction: enumValue('IMPROVEMENT_DIRECTION_', metric.direction),
      cupedLookback: metric.cupedLookbackMs === null ? null : durationFromMs(metric.cupedLookbackMs),
    })),
    state: protoState(entry.state),
    createTime: time(entry.createdAtMs),
    startTime: entry.startedAtMs === null ? null : time(entry.startedAtMs),
    stopTime: entry.stoppedAtMs === null ? null : time(entry.stoppedAtMs),
    createdBy: entry.createdBy,
    stopReason: entry.stopReason,
    revision: entry.revision,
  };
}

export function protoAssignment(outcome: AssignOutcome): grpcNest.experiment.v1.AssignResponse {
  return {
    experimentKey: outcome.experimentKey,
    unitId: outcome.unitId,
    status: enumValue('ASSIGNMENT_STATUS_', outcome.status),
    variant: outcome.variant,
    model: outcome.model === null ? null : { ...outcome.model },
    exposureRecorded: outcome.exposureRecorded,
  };
}

export function correctionOf(value: unknown): Correction | null {
  return enumName(value, 'MULTIPLE_TESTING_CORRECTION_') as Correction | null;
}

export function inProgressConversionsOf(value: unknown): InProgressConversions | null {
  return enumName(value, 'IN_PROGRESS_CONVERSIONS_') as InProgressConversions | null;
}

function protoCorrection(correction: Correction): grpcNest.experiment.v1.MultipleTestingCorrection {
  switch (correction) {
    case 'none':
      return v1.MultipleTestingCorrection.MULTIPLE_TESTING_CORRECTION_NONE;
    case 'bonferroni':
      return v1.MultipleTestingCorrection.MULTIPLE_TESTING_CORRECTION_BONFERRONI;
    case 'holm':
      return v1.MultipleTestingCorrection.MULTIPLE_TESTING_CORRECTION_HOLM;
    case 'benjamini_hochberg':
      return v1.MultipleTestingCorrection.MULTIPLE_TESTING_CORRECTION_BENJAMINI_HOCHBERG;
    default:
      return assertUnreachable(correction);
  }
}

const interval = (ci: Interval) => ({ lower: ci.lower, upper: ci.upper, level: ci.level });

// SampleRatioCheck in proto has no field yet for the units exposed under unknown or several
// variants (the JSON API and the dashboard carry them); proto/ is the contracts owner's change.
function protoSampleRatio(check: SampleRatioCheck): grpcNest.experiment.v1.SampleRatioCheck {
  return { ...check, allocations: check.allocations.map((a) => ({ ...a })) };
}

export function protoResults(results: ExperimentResults): grpcNest.experiment.v1.ExperimentResults {
  return {
    experimentKey: results.experimentKey,
    computedAt: time(results.computedAtMs),
    window: { startTime: time(results.windowStartMs), endTime: time(results.windowEndMs) },
    controlVariant: results.controlVariant,
    alpha: results.alpha,
    correction: protoCorrection(results.correction),
    sampleRatio: protoSampleRatio(results.sampleRatio),
    metrics: results.metrics.map((metric) => ({
      metricKey: metric.metricKey,
      kind: enumValue('METRIC_KIND_', metric.kind),
      role: enumValue('METRIC_ROLE_', metric.role),
      direction: enumValue('IMPROVEMENT_DIRECTION_', metric.direction),
      variants: metric.variants.map((variant) => ({ ...variant })),
      comparisons: metric.comparisons.map((c) => ({
        variant: c.variant,
        controlVariant: c.controlVariant,
        test: c.test === 'welch_t' ? v1.StatisticalTest.STATISTICAL_TEST_WELCH_T : v1.StatisticalTest.STATISTICAL_TEST_TWO_PROPORTION_Z,
        absoluteLift: c.absoluteLift,
        absoluteLiftCi: interval(c.absoluteLiftCi),
        relativeLift: c.relativeLift ?? 0,
        relativeLiftCi: c.relativeLiftCi === null ? null : interval(c.relativeLiftCi),
        statistic: c.statistic,
        // proto3 doubles carry Infinity; a z-test has no degrees of freedom: 0 as the proto's "unset".
        degreesOfFreedom: Number.isFinite(c.degreesOfFreedom) ? c.degreesOfFreedom : 0,
        pValue: c.pValue,
        adjustedPValue: c.adjustedPValue,
        significant: c.significant,
        outcome: enumValue('COMPARISON_OUTCOME_', c.outcome),
        cupedApplied: c.cupedApplied,
        varianceReduction: c.varianceReduction,
        cumulative: c.cumulative.map((point) => ({ time: time(point.timeMs), units: point.units, relativeLift: point.relativeLift, relativeLiftCi: interval(point.relativeLiftCi) })),
      })),
    })),
  };
}

