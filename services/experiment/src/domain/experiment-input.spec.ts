import { EXPERIMENT_KEY_PATTERN } from '@kuroshio/contracts';
import { DomainError } from '@kuroshio/service-kit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { definitionInput } from '../testing/in-memory-ports.js';
import { checkExperimentInput, METRIC_KEY_PATTERN, PROPERTY_PATH_PATTERN } from './experiment-input.js';

const check = (patch: Record<string, unknown>) => () => checkExperimentInput({ ...definitionInput(), ...patch } as never, () => 'generated');
const reasonOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('INVALID_ARGUMENT');
    return (error as DomainError).reason;
  }
  return 'accepted';
};
const metric = definitionInput().metrics[0]!;

describe('checkExperimentInput', () => {
  it('accepts a valid definition and fills an empty salt and unit', () => {
    const spec = checkExperimentInput({ ...definitionInput(), salt: '' } as never, () => 'generated');
    expect(spec).toMatchObject({ salt: 'generated', unit: 'customer', targeting: { trafficFraction: 0.5 } });
  });

  it('refuses any key outside the contract pattern (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (key) => {
        fc.pre(!EXPERIMENT_KEY_PATTERN.test(key));
        expect(reasonOf(check({ key }))).toBe('invalid_experiment_key');
      }),
    );
  });

  it('refuses metric keys and property paths that are not plain names (property), SQL included', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 70 }), fc.constantFrom("a') OR 1=1 --", 'x`y', 'a;b', 'é')), (name) => {
        fc.pre(!METRIC_KEY_PATTERN.test(name));
        expect(reasonOf(check({ metrics: [{ ...metric, key: name }] }))).toBe('invalid_metric_key');
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 70 }), (path) => {
        fc.pre(!PROPERTY_PATH_PATTERN.test(path));
        expect(reasonOf(check({ metrics: [{ ...metric, kind: 'sum', property: path }] }))).toBe('invalid_property_path');
      }),
    );
  });

  it.each([
    ['zero weights', { variants: definitionInput().variants.map((v) => ({ ...v, weight: 0 })) }, 'invalid_weight'],
    ['fractional weight', { variants: definitionInput().variants.map((v) => ({ ...v, weight: 1.5 })) }, 'invalid_weight'],
    ['NaN weight', { variants: definitionInput().variants.map((v) => ({ ...v, weight: Number.NaN })) }, 'invalid_weight'],
    ['two controls', { variants: definitionInput().variants.map((v) => ({ ...v, control: true })) }, 'invalid_control'],
    ['duplicate variants', { variants: definitionInput().variants.map((v) => ({ ...v, key: 'same' })) }, 'duplicate_variant'],
    ['NaN traffic', { targeting: { traitFilters: [], trafficFraction: Number.NaN } }, 'invalid_traffic_fraction'],
    ['zero traffic', { targeting: { traitFilters: [], trafficFraction: 0 } }, 'invalid_traffic_fraction'],
    ['Infinity operand', { targeting: { traitFilters: [{ path: 'x', operator: 'less_than', values: [Infinity] }], trafficFraction: null } }, 'invalid_filter_values'],
    ['equals without operand', { targeting: { traitFilters: [{ path: 'x', operator: 'equals', values: [] }], trafficFraction: null } }, 'invalid_filter_values'],
    ['unknown operator', { targeting: { traitFilters: [{ path: 'x', operator: null, values: [] }], trafficFraction: null } }, 'invalid_filter_operator'],
    ['no metrics', { metrics: [] }, 'invalid_metrics'],
    ['sum without property', { metrics: [{ ...metric, kind: 'sum' }] }, 'invalid_property_path'],
    ['NaN window', { metrics: [{ ...metric, windowMs: Number.NaN }] }, 'invalid_duration'],
    ['empty event', { metrics: [{ ...metric, event: ' ' }] }, 'missing_field'],
    ['huge description', { description: 'x'.repeat(5000) }, 'text_too_long'],
  ])('refuses %s', (_what, patch, reason) => {
    expect(reasonOf(check(patch))).toBe(reason);
  });
});
