import { z } from 'zod';
import { formatDurationText, parseDurationText } from './duration-text.js';
import type { Aggregation, FeatureDefinition, FeatureValueType, FeatureView, FilterOperator, PropertyFilter } from './feature-view.js';

/**
 * The YAML form of one feature-view version (one YAML document). Unknown keys are errors, so a typo
 * (`windw: 30d`) fails the start instead of silently changing a feature.
 */

export const ENTITIES = ['customer'] as const;
const AGGREGATIONS = ['count', 'sum', 'avg', 'min', 'max', 'last_value', 'distinct_count', 'days_since_last'] as const satisfies readonly Aggregation[];
const OPERATORS = [
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
] as const satisfies readonly FilterOperator[];

// Names become Parquet columns `<view>__<feature>`: lower snake case, and no `__` inside a name.
const NAME = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const PATH = /^[A-Za-z_$][A-Za-z0-9_$-]*(\.[A-Za-z_$][A-Za-z0-9_$-]*)*$/;
const DATE_OR_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

const name = z.string().regex(NAME, { error: 'expected lower_snake_case (a-z, 0-9, single underscores), starting with a letter' }).max(63);
const text = z.string().trim().min(1, { error: 'expected a non-empty text' });
const propertyPath = z.string().regex(PATH, { error: 'expected a dotted property path such as amount or payment.method' });
const duration = z.string().transform((value, context) => {
  const ms = parseDurationText(value);
  if (ms === undefined) {
    context.addIssue({ code: 'custom', message: 'expected a duration such as 30d, 12h, 1w (integer and one of ms s m h d w)' });
    return z.NEVER;
  }
  return ms;
});
const scalar = z.union([z.string(), z.number().refine(Number.isFinite, { error: 'expected a finite number' }), z.boolean()]);

/** A property filter as YAML and requests state it (operand counts checked per operator). */
export const propertyFilterSchema = z
  .strictObject({
    path: propertyPath,
    operator: z.enum(OPERATORS),
    values: z.array(scalar).default([]),
  })
  .superRefine((filter, context) => {
    const count = filter.values.length;
    const problem = (message: string) => context.addIssue({ code: 'custom', path: ['values'], message });
    switch (filter.operator) {
      case 'exists':
      case 'not_exists':
        if (count !== 0) problem(`${filter.operator} takes no values`);
        break;
      case 'in':
      case 'not_in':
        if (count === 0) problem(`${filter.operator} needs at least one value`);
        break;
      case 'equals':
      case 'not_equals':
        if (count !== 1) problem(`${filter.operator} needs exactly one value`);
        break;
      default:
        if (count !== 1 || typeof filter.values[0] === 'boolean') problem(`${filter.operator} needs exactly one number or string`);
    }
  });

/** The value type each aggregation yields; last_value takes the type the YAML names. */
const DERIVED_TYPE: Record<Exclude<Aggregation, 'last_value'>, FeatureValueType> = {
  count: 'int64',
  distinct_count: 'int64',
  sum: 'double',
  avg: 'double',
  min: 'double',
  max: 'double',
  days_since_last: 'double',
};
const NEEDS_PROPERTY = new Set<Aggregation>(['sum', 'avg', 'min', 'max', 'last_value', 'distinct_count']);

const featureSchema = z
  .strictObject({
    name,
    description: text,
    aggregation: z.enum(AGGREGATIONS),
    property: propertyPath.optional(),
    window: duration,
    type: z.enum(['double', 'int64', 'string']).optional(),
  })
  .superRefine((feature, context) => {
    if (NEEDS_PROPERTY.has(feature.aggregation) && feature.property === undefined) {
      context.addIssue({ code: 'custom', path: ['property'], message: `${feature.aggregation} needs a property` });
    }
    if (feature.aggregation === 'last_value') {
      if (feature.type !== 'double' && feature.type !== 'string') {
        context.addIssue({ code: 'custom', path: ['type'], message: 'last_value needs type double or string' });
      }
    } else if (feature.type !== undefined && feature.type !== DERIVED_TYPE[feature.aggregation]) {
      context.addIssue({ code: 'custom', path: ['type'], message: `${feature.aggregation} yields ${DERIVED_TYPE[feature.aggregation]}; leave type out or say so` });
    }
  });

export const featureViewDocumentSchema = z
  .strictObject({
    name,
    version: z.number().int().min(1).max(1_000_000),
    entity: z.enum(ENTITIES),
    description: text,
    owner: text,
    created: z.string().regex(DATE_OR_TIME, { error: 'expected an ISO-8601 date or date-time' }).optional(),
    source: z.strictObject({
      events: z.array(text).min(1, { error: 'expected at least one event' }),
      filters: z.array(propertyFilterSchema).default([]),
    }),
    ttl: duration,
    features: z.array(featureSchema).min(1, { error: 'expected at least one feature' }),
  })
  .superRefine((view, context) => {
    const seen = new Set<string>();
    view.features.forEach((feature, index) => {
      if (seen.has(feature.name)) context.addIssue({ code: 'custom', path: ['features', index, 'name'], message: `duplicate feature ${feature.name}` });
      seen.add(feature.name);
      // A value whose latest event is older than the TTL is EXPIRED, so the window past the TTL could never count.
      if (feature.window > view.ttl) {
        context.addIssue({
          code: 'custom',
          path: ['features', index, 'window'],
          message: `${view.name} version ${view.version}, feature ${feature.name}: window ${formatDurationText(feature.window)} is longer than the view ttl ${formatDurationText(view.ttl)} (older events are EXPIRED); shorten the window or raise the ttl`,
        });
      }
    });
    const events = new Set<string>();
    view.source.events.forEach((event, index) => {
      if (events.has(event)) context.addIssue({ code: 'custom', path: ['source', 'events', index], message: `duplicate event ${event}` });
      events.add(event);
    });
  });

export type FeatureViewDocument = z.output<typeof featureViewDocumentSchema>;

export function featureViewFromDocument(document: FeatureViewDocument): FeatureView {
  const features: FeatureDefinition[] = document.features.map((feature) => ({
    name: feature.name,
    description: feature.description,
    aggregation: feature.aggregation,
    ...(feature.property === undefined ? {} : { property: feature.property }),
    windowMs: feature.window,
    valueType: feature.aggregation === 'last_value' ? (feature.type ?? 'string') : DERIVED_TYPE[feature.aggregation],
  }));
  const filters: PropertyFilter[] = document.source.filters.map((filter) => ({ path: filter.path, operator: filter.operator, values: filter.values }));
  return {
    name: document.name,
    version: document.version,
    entity: document.entity,
    description: document.description,
    owner: document.owner,
    sourceEvents: document.source.events,
    filters,
    ttlMs: document.ttl,
    features,
    ...(document.created === undefined ? {} : { createdAt: new Date(document.created.length === 10 ? `${document.created}T00:00:00Z` : document.created).toISOString() }),
  };
}
