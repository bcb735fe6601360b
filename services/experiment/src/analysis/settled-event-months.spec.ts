import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outsideMonthsSql, settledMonths, stillSettled, type EventsPart } from './settled-event-months.js';

const part = (partition: string, name: string, level: number): EventsPart => ({ partition, name, level });

describe('settledMonths', () => {
  it('settles a month held by one merged part only', () => {
    const settled = settledMonths([
      part('202601', '202601_1_9_2', 2), // one merged part: settled
      part('202602', '202602_10_10_0', 0), // one inserted part: may hold duplicates of its own block
      part('202603', '202603_11_20_1', 1),
      part('202603', '202603_21_21_0', 0), // two parts: a replay may sit in either
      part('tuple()', 'all_1_5_1', 1), // not a month: never read without FINAL
    ]);
    expect([...settled]).toEqual([[202601, '202601_1_9_2']]);
  });

  it('stays settled only while the same part holds the month', () => {
    const before = new Map([[202601, 'a'], [202602, 'b']]);
    expect(stillSettled(before, new Map([[202601, 'a'], [202602, 'b'], [202603, 'c']]))).toBe(true);
    expect(stillSettled(before, new Map([[202601, 'a'], [202602, 'b2']]))).toBe(false);
    expect(stillSettled(before, new Map([[202601, 'a']]))).toBe(false);
    expect(stillSettled(new Map(), new Map())).toBe(true);
  });
});

describe('outsideMonthsSql', () => {
  it('is the complement of consecutive runs, open at both ends', () => {
    expect(outsideMonthsSql([202512, 202601, 202603]).text).toBe(
      `(event_time < toDateTime(${Date.UTC(2025, 11, 1) / 1000}) OR (event_time >= toDateTime(${Date.UTC(2026, 1, 1) / 1000}) AND event_time < toDateTime(${Date.UTC(2026, 2, 1) / 1000})) OR event_time >= toDateTime(${Date.UTC(2026, 3, 1) / 1000}))`,
    );
  });

  it('leaves out exactly the given months (property, evaluated in JS over month starts)', () => {
    const month = fc.tuple(fc.integer({ min: 2000, max: 2100 }), fc.integer({ min: 1, max: 12 })).map(([y, m]) => y * 100 + m);
    fc.assert(
      fc.property(fc.array(month, { minLength: 1, maxLength: 12 }), month, (months, probe) => {
        const seconds = Date.UTC(Math.floor(probe / 100), (probe % 100) - 1, 1) / 1000;
        // Evaluate the OR of ranges the SQL states, each clause `event_time < toDateTime(x)` and/or `>=`.
        const clauses = outsideMonthsSql(months).text.slice(1, -1).split(' OR ');
        const bounds = (clause: string) => [...clause.matchAll(/event_time (<|>=) toDateTime\((\d+)\)/g)];
        expect(clauses.every((clause) => bounds(clause).length > 0)).toBe(true);
        const holds = clauses.some((clause) => bounds(clause).every(([, op, x]) => (op === '<' ? seconds < Number(x) : seconds >= Number(x))));
        expect(holds).toBe(!months.includes(probe));
      }),
    );
  });
});
