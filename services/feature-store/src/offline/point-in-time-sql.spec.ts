import { filterSql, sourceEventsSql } from '@kuroshio/clickhouse';
import { describe, expect, it } from 'vitest';
import { chargesView, pagesView } from '../testing/test-views.js';
import type { FeatureView } from '../views/feature-view.js';
import { pointInTimeSql } from './point-in-time-sql.js';

const rows = { from: 0, to: 1000, minLabelTimeMs: Date.parse('2026-11-01T00:00:00Z'), maxLabelTimeMs: Date.parse('2026-11-20T00:00:00Z') };

describe('pointInTimeSql', () => {
  const plan = pointInTimeSql({ eventsTable: 'events', final: true, labelsTable: 'labels_x', view: chargesView, features: chargesView.features, rows });
  const text = plan.sql.text;

  it('counts only events strictly before the label time and inside each window', () => {
    expect(text).toContain('e_time < l_time AND e_time >= l_time - 86400000');
    expect(text).toContain('e_time < l_time AND e_time >= l_time - 604800000');
    expect(text).not.toMatch(/e_time <= l_time/);
    // The events read stop before the latest label time of the chunk.
    expect(text).toContain(`event_time_ms < ${rows.maxLabelTimeMs}`);
    expect(text).toContain(`event_time_ms >= ${rows.minLabelTimeMs - 30 * 86_400_000}`);
  });

  it('reads the warehouse table with FINAL, a snapshot without', () => {
    expect(text).toContain('FROM `events` FINAL');
    const snapshot = pointInTimeSql({ eventsTable: 'snap', final: false, labelsTable: 'labels_x', view: chargesView, features: chargesView.features, rows });
    expect(snapshot.sql.text).not.toContain('FINAL');
  });

  it('joins the chunk of label rows to events of the same customer, grouped per label row', () => {
    expect(text).toContain('FROM `labels_x` WHERE row_id >= 0 AND row_id < 1000');
    expect(text).toContain('ALL INNER JOIN');
    expect(text).toContain('ON l_entity = e_entity');
    expect(text).toContain('customer_id IN (SELECT entity_id FROM `labels_x`');
    expect(text).toMatch(/GROUP BY l_row$/);
  });

  it('shares count and latest-time columns between features with the same condition, and returns avg as a sum', () => {
    const byName = Object.fromEntries(chargesView.features.map((feature, index) => [feature.name, plan.columns[index]!]));
    expect(byName['count_7d']!.count).not.toBe(byName['count_1d']!.count);
    expect(byName['amount_sum_7d']!.count).toBe(byName['amount_avg_7d']!.count);
    expect(byName['amount_avg_7d']).toMatchObject({ divideByCount: true });
    expect(byName['count_7d']!.value).toBeUndefined();
    expect(text).not.toContain('avgIf');
    expect(text).toContain('argMaxIf(`p1_v`, tuple(e_time, e_id)');
    expect(text).toContain('uniqExactIf(');
  });

  it('escapes property names and operands, so a hostile view cannot inject SQL', () => {
    const hostile: FeatureView = {
      ...pagesView,
      sourceEvents: ["x') OR 1=1 --"],
      filters: [{ path: 'path', operator: 'equals', values: ["'; DROP TABLE events; --"] }],
      features: [{ name: 'n', description: 'n', aggregation: 'distinct_count', property: "a'b", windowMs: 1000, valueType: 'int64' }],
    };
    const sql = pointInTimeSql({ eventsTable: 'events', final: true, labelsTable: 'labels', view: hostile, features: hostile.features, rows }).sql.text;
    expect(sql).toContain("'x\\') OR 1=1 --'");
    expect(sql).toContain("'\\'; DROP TABLE events; --'");
    expect(sql).toContain("visitParamExtractRaw(properties, 'a\\'b')");
  });
});

describe('property SQL', () => {
  it('reads nested paths one level at a time', () => {
    expect(filterSql({ path: 'payment.method', operator: 'exists', values: [] }).text).toBe(
      "(visitParamExtractRaw(visitParamExtractRaw(properties, 'payment'), 'method') NOT IN ('', 'null'))",
    );
  });

  it('compares numbers as numbers, strings as strings and booleans as JSON literals', () => {
    expect(filterSql({ path: 'amount', operator: 'greater_than', values: [100] }).text).toContain("toFloat64OrZero(visitParamExtractRaw(properties, 'amount')) > 100");
    expect(filterSql({ path: 'c', operator: 'equals', values: ['TWD'] }).text).toContain("visitParamExtractString(properties, 'c') = 'TWD'");
    expect(filterSql({ path: 'paid', operator: 'equals', values: [true] }).text).toBe("(visitParamExtractRaw(properties, 'paid') = 'true')");
    expect(filterSql({ path: 'c', operator: 'not_in', values: ['a', 'b'] }).text).toMatch(/^NOT \(\(.* OR .*\)\)$/);
  });

  it('matches track events by name and other calls by type', () => {
    expect(sourceEventsSql(['page', 'Carrier Billing Charge']).text).toBe("(if(type = 'track', event, type) IN ('page', 'Carrier Billing Charge'))");
  });
});
