import type { Sql } from '@kuroshio/clickhouse';
import { describe, expect, it } from 'vitest';
import type { StatisticsQuery } from '../analysis/sufficient-statistics-sql.js';
import { ClickHouseAnalysis, statisticsShapeFor } from './clickhouse-analysis.js';

const query: StatisticsQuery = {
  experimentKey: 'exp',
  asOfMs: Date.UTC(2026, 5, 1),
  variants: ['a', 'b'],
  metrics: [{ key: 'm', description: '', kind: 'count', event: 'e', property: '', filters: [], windowMs: null, role: 'primary', direction: 'increase', cupedLookbackMs: null }],
};
const DAY = 86_400_000;
const row = (n: number) => ({ variant: 1, day: 20_000, n: String(n), mv: '0', n0: String(n), s0: 1, q0: 1, x0s: 0, xx0: 0, xy0: 0 });

/**
 * A client of a server of `version` whose system.parts answers come from `parts` in turn and whose
 * statistics answers are numbered.
 */
function fakeClient(parts: Array<Array<{ partition: string; name: string; level: number }>>, version = '18.16.1') {
  const statements: string[] = [];
  let answered = 0;
  let versionAsked = 0;
  return {
    statements,
    versionAsked: () => versionAsked,
    client: {
      database: 'db',
      command: async () => undefined,
      query: async <T>(statement: Sql): Promise<T[]> => {
        if (statement.text.includes('system.parts')) return (parts.shift() ?? []) as T[];
        if (statement.text.includes('version()')) {
          versionAsked++;
          return [{ version }] as T[];
        }
        statements.push(statement.text);
        return [row(++answered)] as T[];
      },
    },
  };
}

describe('ClickHouseAnalysis.statistics', () => {
  it('reads a settled month without FINAL when its part is the same before and after the read', async () => {
    const settled = [{ partition: '202601', name: '202601_1_9_1', level: 1 }];
    const { client, statements } = fakeClient([settled, settled]);
    const rows = await new ClickHouseAnalysis(client).statistics(query);
    expect(rows.map((r) => r.units)).toEqual([1]);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toContain('FROM events WHERE');
    expect(statements[0]).toContain('toYYYYMM(event_time) IN (202601)');
  });

  it('runs again with FINAL everywhere when an insert or merge touched a settled month during the read', async () => {
    const { client, statements } = fakeClient([[{ partition: '202601', name: '202601_1_9_1', level: 1 }], [{ partition: '202601', name: '202601_1_10_2', level: 2 }]]);
    const rows = await new ClickHouseAnalysis(client).statistics(query);
    expect(rows.map((r) => r.units)).toEqual([2]);
    expect(statements).toHaveLength(2);
    expect(statements[1]).not.toContain('FROM events WHERE');
    expect(statements[1]).toContain('FROM events FINAL WHERE');
  });

  it('reads everything FINAL, without a second look, when no month is settled', async () => {
    const { client, statements } = fakeClient([[{ partition: '202601', name: '202601_1_1_0', level: 0 }]]);
    await new ClickHouseAnalysis(client).statistics(query);
    expect(statements).toHaveLength(1);
    expect(statements[0]).not.toContain('FROM events WHERE');
  });

  it('skips the events before the first-exposure day and keeps the rows when no unit was first exposed before it', async () => {
    const { client, statements } = fakeClient([[]]);
    const rows = await new ClickHouseAnalysis(client).statistics({ ...query, exposuresFromMs: 20_000 * DAY + 5 });
    expect(rows.map((r) => r.units)).toEqual([1]);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toContain(`event_time_ms >= ${20_000 * DAY}`);
  });

  it('reads every event again when a unit was first exposed before that day (rows of an earlier day)', async () => {
    const { client, statements } = fakeClient([[]]);
    const rows = await new ClickHouseAnalysis(client).statistics({ ...query, exposuresFromMs: 20_001 * DAY });
    expect(rows.map((r) => r.units)).toEqual([2]);
    expect(statements).toHaveLength(2);
    expect(statements[0]).toContain(`event_time_ms >= ${20_001 * DAY}`);
    expect(statements[1]).not.toContain('event_time_ms >=');
  });

  it('groups and joins on a current server, and asks the version once', async () => {
    const { client, statements, versionAsked } = fakeClient([[], [], []], '26.9.2.1');
    const analysis = new ClickHouseAnalysis(client);
    await analysis.statistics(query);
    await analysis.statistics(query);
    expect(versionAsked()).toBe(1);
    expect(statements.every((text) => text.includes('ANY LEFT JOIN') && !text.includes('UNION ALL'))).toBe(true);
  });

  it('uses one GROUP BY over both row sets on 18.16, and the shape it is given without asking', async () => {
    const old = fakeClient([[]]);
    await new ClickHouseAnalysis(old.client).statistics(query);
    expect(old.statements[0]).toContain('UNION ALL');
    expect(old.statements[0]).not.toContain('JOIN');
    const given = fakeClient([[]], '26.9.2.1');
    await new ClickHouseAnalysis(given.client, 'union').statistics(query);
    expect(given.versionAsked()).toBe(0);
    expect(given.statements[0]).toContain('UNION ALL');
  });
});

describe('ClickHouseAnalysis shape look-up', () => {
  it('asks the version again after a failed look-up instead of keeping the failure', async () => {
    const { client, statements } = fakeClient([[]], '26.9.2.1');
    let failures = 1;
    const flaky = {
      ...client,
      query: async <T>(statement: Sql): Promise<T[]> => {
        if (statement.text.includes('version()') && failures-- > 0) throw new Error('connection reset');
        return client.query<T>(statement);
      },
    };
    const analysis = new ClickHouseAnalysis(flaky);
    await expect(analysis.statistics(query)).rejects.toThrow('connection reset');
    await analysis.statistics(query);
    expect(statements[0]).toContain('ANY LEFT JOIN');
  });
});

describe('statisticsShapeFor', () => {
  it.each([
    ['18.16.1', 'union'],
    ['23.8.16.16', 'union'],
    ['24.3.1.2672', 'join'],
    ['26.9.2.1', 'join'],
    ['', 'union'],
  ] as const)('%s → %s', (version, shape) => {
    expect(statisticsShapeFor(version)).toBe(shape);
  });
});
