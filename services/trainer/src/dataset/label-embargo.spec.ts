import { describe, expect, it } from 'vitest';
import { resolveEmbargo } from './label-embargo.js';

const DAY_MS = 86_400_000;
const fractions = { kind: 'fractions', validation: 0.15, test: 0.15 } as const;
// The feature store's manifest label for "charge unpaid 30 days after its due date".
const unpaid = { kind: 'event', anchorEvent: 'Carrier Billing Charge', outcomeEvent: 'Carrier Billing Payment', deadlineProperty: 'dueDate', outcomeWindowMs: 30 * DAY_MS, positiveWhen: 'outcome_absent', cutoff: '2026-11-27T06:00:00.000Z' };

describe('resolveEmbargo', () => {
  it("takes an event label's outcome window when the split rule sets none", () => {
    expect(resolveEmbargo(fractions, unpaid)).toEqual({ embargoMs: 30 * DAY_MS, source: 'label_outcome_window' });
  });

  it("prefers the split rule's own embargo, 0 included", () => {
    expect(resolveEmbargo({ ...fractions, embargoMs: 45 * DAY_MS }, unpaid)).toEqual({ embargoMs: 45 * DAY_MS, source: 'split_rule' });
    expect(resolveEmbargo({ ...fractions, embargoMs: 0 }, unpaid)).toEqual({ embargoMs: 0, source: 'split_rule' });
  });

  it('has none for given label rows, whose decision time is unknown', () => {
    expect(resolveEmbargo(fractions, { kind: 'rows_uri', uri: 's3://lake/labels.ndjson', rowCount: 10 })).toEqual({ embargoMs: 0, source: 'none' });
    expect(resolveEmbargo(fractions, null)).toEqual({ embargoMs: 0, source: 'none' });
  });

  it('refuses an event label without a usable outcome window', () => {
    expect(() => resolveEmbargo(fractions, { ...unpaid, outcomeWindowMs: undefined })).toThrow(/outcomeWindowMs/);
  });
});
