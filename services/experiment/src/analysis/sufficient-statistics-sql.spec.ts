import { sqlString } from '@kuroshio/clickhouse';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MetricSpec } from '../domain/experiment-definition.js';
import { wellFormed } from '../testing/in-memory-ports.js';
import { eventsLowerBoundMs, firstExposuresKeptBound, sufficientStatisticsSql, type StatisticsQuery } from './sufficient-statistics-sql.js';

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

  it('reads events from the day of the earliest possible first exposure minus the longest lookback', () => {
    const DAY = 86_400_000;
    const q: StatisticsQuery = { experimentKey: 'exp', asOfMs: 400 * DAY, variants: ['a'], metrics: [metric('e'), { ...metric('f'), cupedLookbackMs: 30 * DAY }] };
    expect(eventsLowerBoundMs(q)).toBeNull();
    expect(eventsLowerBoundMs({ ...q, exposuresFromMs: null })).toBeNull();
    expect(eventsLowerBoundMs({ ...q, exposuresFromMs: 100 * DAY + 7 })).toBe(70 * DAY);
    expect(eventsLowerBoundMs({ ...q, exposuresFromMs: 10 * DAY, metrics: [{ ...metric('e'), cupedLookbackMs: null }] })).toBe(10 * DAY);
    expect(eventsLowerBoundMs({ ...q, exposuresFromMs: 10 * DAY })).toBe(0);
    expect(sufficientStatisticsSql(q, { settledMonths: [], fromMs: 70 * DAY }).text).toContain(`event_time_ms >= ${70 * DAY} AND event_time >= toDateTime(${70 * 86_400 - 86_400})`);
    expect(sufficientStatisticsSql(q).text).not.toContain('event_time_ms >=');
    // The bound held when no row's day of first exposure is before the bound's day.
    expect(firstExposuresKeptBound({ ...q, exposuresFromMs: 100 * DAY + 7 }, [100, 101])).toBe(true);
    expect(firstExposuresKeptBound({ ...q, exposuresFromMs: 100 * DAY + 7 }, [99, 101])).toBe(false);
    expect(firstExposuresKeptBound(q, [1])).toBe(true);
  });
});
