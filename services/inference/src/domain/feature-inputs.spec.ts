import { featureSpec } from '@kuroshio/model-runtime';
import { describe, expect, it } from 'vitest';
import { smallSpec } from '../testing/in-memory-serving.js';
import { explicitRow, hasFeatures } from './feature-inputs.js';

const column = (featureView: string, feature: string, valueType: string) => ({ column: `${featureView}__${feature}`, featureView, feature, version: 1, valueType });
const textSpec = featureSpec({
  family: 'text_classifier',
  inputWidth: 1 + 16,
  numeric: [column('billing', 'amount_sum_30d', 'double')],
  text: { ...column('line', 'last_message', 'string'), ngramMin: 2, ngramMax: 3, buckets: 16 },
});

describe('explicitRow', () => {
  it('takes every spec feature in spec order; a value with no member set is missing', () => {
    const { spec } = smallSpec();
    expect(explicitRow(spec, { 'billing:late_count_90d': { int64Value: 2 }, 'billing:amount_sum_30d': { doubleValue: 120.5 } })).toEqual({ row: { numeric: [120.5, 2], text: null }, missing: [] });
    expect(explicitRow(spec, { 'billing:amount_sum_30d': { doubleValue: 1 }, 'billing:late_count_90d': {} })).toEqual({ row: { numeric: [1, Number.NaN], text: null }, missing: ['billing:late_count_90d'] });
    expect(explicitRow(textSpec, { 'billing:amount_sum_30d': { doubleValue: 3 }, 'line:last_message': { stringValue: 'hello' } })).toEqual({ row: { numeric: [3], text: 'hello' }, missing: [] });
  });

  it('lists every problem of an instance in one INVALID_ARGUMENT: unknown names, then absent ones, then bad values in spec order', () => {
    const { spec } = smallSpec();
    let error: unknown;
    try {
      explicitRow(spec, { 'billing:amount_sum_30d': { doubleValue: Number.NaN }, 'nope:x': { doubleValue: 1 } }, 'instances[3]');
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/^instances\[3\]: unknown feature\(s\) nope:x .*; feature\(s\) billing:late_count_90d missing: .*; billing:amount_sum_30d is NaN: NaN and infinities are not feature values$/),
    });
  });

  it('refuses a name outside the spec even when every spec feature is there', () => {
    const { spec } = smallSpec();
    expect(() => explicitRow(spec, { 'billing:amount_sum_30d': { doubleValue: 1 }, 'billing:late_count_90d': { int64Value: 1 }, 'app:extra': { int64Value: 1 } })).toThrow(/unknown feature\(s\) app:extra/);
  });

  it('refuses values of the wrong kind for their column', () => {
    expect(() => explicitRow(textSpec, { 'billing:amount_sum_30d': { stringValue: '3' }, 'line:last_message': { doubleValue: 4 } })).toThrow(
      /billing:amount_sum_30d is numeric \(double\), got a string; line:last_message is text, got a number/,
    );
  });
});

describe('hasFeatures', () => {
  it('tells an empty feature map from one with a key', () => {
    expect(hasFeatures({})).toBe(false);
    expect(hasFeatures({ 'billing:amount_sum_30d': {} })).toBe(true);
  });
});
