import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertLabelRows, labelRowSet, parseLabelRowsNdjson, type LabelRow } from './label-rows.js';

describe('label rows', () => {
  it('keep the rows in the time range, ordered by entity then time, as a permutation of what was given (fast-check)', () => {
    const row = fc.record({ entityId: fc.constantFrom('a', 'b', 'c', 'ab'), labelTimeMs: fc.integer({ min: 0, max: 100 }), label: fc.integer({ min: 0, max: 1 }) });
    fc.assert(
      fc.property(fc.array(row), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 50, max: 101 }), (rows: LabelRow[], startMs, endMs) => {
        const set = labelRowSet(rows, { startMs, endMs });
        const kept = rows.filter((r) => r.labelTimeMs >= startMs && r.labelTimeMs < endMs);
        expect(set.length).toBe(kept.length);
        const out = set.entityIds.map((entityId, i) => ({ entityId, labelTimeMs: set.labelTimesMs[i]!, label: set.labels[i]! }));
        for (let i = 1; i < out.length; i++) {
          const [p, q] = [out[i - 1]!, out[i]!];
          expect(p.entityId < q.entityId || (p.entityId === q.entityId && p.labelTimeMs <= q.labelTimeMs)).toBe(true);
        }
        const key = (r: LabelRow) => `${r.entityId}|${r.labelTimeMs}|${r.label}`;
        expect(out.map(key).sort()).toEqual(kept.map(key).sort());
      }),
    );
  });

  it('parse NDJSON with ISO or epoch timestamps and name every bad line', () => {
    expect(parseLabelRowsNdjson('{"entity_id":"a","timestamp":"2026-01-01T00:00:00Z","label":1}\n\n{"entity_id":"b","timestamp":5,"label":0}\n')).toEqual([
      { entityId: 'a', labelTimeMs: Date.parse('2026-01-01T00:00:00Z'), label: 1 },
      { entityId: 'b', labelTimeMs: 5, label: 0 },
    ]);
    expect(() => parseLabelRowsNdjson('nope\n{"entity_id":"","timestamp":1,"label":1}\n[1]\n{"entity_id":"x","timestamp":"yesterday","label":1}')).toThrow(
      /4 unusable label line\(s\): line 1: not JSON; line 2: entity_id must be .*; line 3: not a JSON object; line 4: timestamp must be/,
    );
  });

  it('reject inline rows without a timestamp or with a non-finite label', () => {
    expect(() => assertLabelRows([{ entityId: 'a', labelTimeMs: Number.NaN, label: 1 }, { entityId: 'b', labelTimeMs: 1, label: Number.POSITIVE_INFINITY }])).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('row 0: timestamp') }),
    );
  });
});
