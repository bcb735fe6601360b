import { sqlString } from '@kuroshio/clickhouse';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MetricSpec } from '../domain/experiment-definition.js';
import { wellFormed } from '../testing/in-memory-ports.js';
import { sufficientStatisticsSql } from './sufficient-statistics-sql.js';

const metric = (event: string, value = 'x'): MetricSpec => ({
  key: 'm', description: '', kind: 'sum', event, property: 'amount', filters: [{ path: 'channel', operator: 'equals', values: [value] }], windowMs: 1000, role: 'primary', direction: 'increase', cupedLookbackMs: 5000,
});

describe('sufficientStatisticsSql', () => {
  it('puts event names and operands into the text only as escaped literals (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }).filter(wellFormed), fc.string({ maxLength: 60 }).filter(wellFormed), (event, value) => {
        const text = sufficientStatisticsSql({ experimentKey: 'exp', asOfMs: 1, variants: ['a', event], metrics: [metric(event, value)] }).text;
        expect(text).toContain(sqlString(event));
        expect(text).toContain(sqlString(value));
        // Aliases come from positions, never from names.
        expect(text).toContain('AS `y0`');
      }),
    );
  });
});
