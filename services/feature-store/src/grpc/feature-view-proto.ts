import { durationFromMs, grpcNest, timestampFromDate } from '@kuroshio/contracts';
import { DomainError } from '@kuroshio/service-kit';
import type { Aggregation, FeatureRef, FeatureValueType, FeatureView, FilterOperator, PropertyFilter, ScalarValue } from '../views/feature-view.js';
import { propertyFilterSchema } from '../views/feature-view-schema.js';

type ProtoFeatureView = grpcNest.features.v1.FeatureView;
type ProtoScalar = grpcNest.common.v1.ScalarValue;
type ProtoFilter = grpcNest.common.v1.PropertyFilter;
const ProtoAggregation = grpcNest.features.v1.Aggregation;
const ProtoValueType = grpcNest.features.v1.ValueType;
const ProtoOperator = grpcNest.common.v1.FilterOperator;

const AGGREGATIONS: Record<Aggregation, grpcNest.features.v1.Aggregation> = {
  count: ProtoAggregation.AGGREGATION_COUNT,
  sum: ProtoAggregation.AGGREGATION_SUM,
  avg: ProtoAggregation.AGGREGATION_AVG,
  min: ProtoAggregation.AGGREGATION_MIN,
  max: ProtoAggregation.AGGREGATION_MAX,
  last_value: ProtoAggregation.AGGREGATION_LAST_VALUE,
  distinct_count: ProtoAggregation.AGGREGATION_DISTINCT_COUNT,
  days_since_last: ProtoAggregation.AGGREGATION_DAYS_SINCE_LAST,
};

const VALUE_TYPES: Record<FeatureValueType, grpcNest.features.v1.ValueType> = {
  double: ProtoValueType.VALUE_TYPE_DOUBLE,
  int64: ProtoValueType.VALUE_TYPE_INT64,
  string: ProtoValueType.VALUE_TYPE_STRING,
  bool: ProtoValueType.VALUE_TYPE_BOOL,
};

const OPERATORS: Record<FilterOperator, grpcNest.common.v1.FilterOperator> = {
  equals: ProtoOperator.FILTER_OPERATOR_EQUALS,
  not_equals: ProtoOperator.FILTER_OPERATOR_NOT_EQUALS,
  in: ProtoOperator.FILTER_OPERATOR_IN,
  not_in: ProtoOperator.FILTER_OPERATOR_NOT_IN,
  greater_than: ProtoOperator.FILTER_OPERATOR_GREATER_THAN,
  greater_than_or_equal: ProtoOperator.FILTER_OPERATOR_GREATER_THAN_OR_EQUAL,
  less_than: ProtoOperator.FILTER_OPERATOR_LESS_THAN,
  less_than_or_equal: ProtoOperator.FILTER_OPERATOR_LESS_THAN_OR_EQUAL,
  exists: ProtoOperator.FILTER_OPERATOR_EXISTS,
  not_exists: ProtoOperator.FILTER_OPERATOR_NOT_EXISTS,
};
const OPERATOR_NAMES = new Map(Object.entries(OPERATORS).map(([name, proto]) => [proto, name as FilterOperator]));

/** A filter operand or feature value: doubles as double_value, integers (counts, whole operands) as int64_value. */
export function scalarToProto(value: ScalarValue, valueType?: FeatureValueType): ProtoScalar {
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    case 'number':
      if (valueType === 'double' || !Number.isSafeInteger(value)) return { doubleValue: value };
      return { int64Value: value };
  }
}

export function scalarFromProto(value: ProtoScalar, where: string): ScalarValue {
  const set = [value.doubleValue, value.int64Value, value.stringValue, value.boolValue].filter((item) => item !== undefined && item !== null);
  if (set.length !== 1) throw new DomainError('INVALID_ARGUMENT', `${where}: expected exactly one of double_value, int64_value, string_value, bool_value`, { reason: 'invalid_value' });
  const only = set[0] as ScalarValue;
  if (typeof only === 'number' && !Number.isFinite(only)) throw new DomainError('INVALID_ARGUMENT', `${where}: NaN and infinities are not values`, { reason: 'invalid_value' });
  return only;
}

function filterToProto(filter: PropertyFilter): ProtoFilter {
  return { path: filter.path, operator: OPERATORS[filter.operator], values: filter.values.map((value) => scalarToProto(value)) };
}

/** Request filters (EventLabel anchor filters), checked like the YAML ones. */
export function filtersFromProto(filters: readonly ProtoFilter[], where: string): PropertyFilter[] {
  return filters.map((filter, index) => {
    const at = `${where}[${index}]`;
    const operator = OPERATOR_NAMES.get(filter.operator);
    if (operator === undefined) throw new DomainError('INVALID_ARGUMENT', `${at}.operator: unspecified`, { reason: 'invalid_filter' });
    const parsed = propertyFilterSchema.safeParse({ path: filter.path, operator, values: filter.values.map((value, i) => scalarFromProto(value, `${at}.values[${i}]`)) });
    if (!parsed.success) {
      throw new DomainError('INVALID_ARGUMENT', `${at}: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'filter'}: ${issue.message}`).join('; ')}`, { reason: 'invalid_filter' });
    }
    return parsed.data;
  });
}

export function featureViewToProto(view: FeatureView, loadedAt: Date): ProtoFeatureView {
  return {
    name: view.name,
    version: view.version,
    entity: view.entity,
    description: view.description,
    owner: view.owner,
    sourceEvents: [...view.sourceEvents],
    filters: view.filters.map(filterToProto),
    ttl: durationFromMs(view.ttlMs),
    features: view.features.map((feature) => ({
      name: feature.name,
      description: feature.description,
      aggregation: AGGREGATIONS[feature.aggregation],
      property: feature.property ?? '',
      window: durationFromMs(feature.windowMs),
      valueType: VALUE_TYPES[feature.valueType],
    })),
    createTime: timestampFromDate(view.createdAt === undefined ? loadedAt : new Date(view.createdAt)),
  };
}

export function featureRefFromProto(ref: grpcNest.features.v1.FeatureRef): FeatureRef {
  return { featureView: ref.featureView, feature: ref.feature, version: ref.version };
}
