import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../testing/test-views.js';
import { deadlineMs, evaluateEventLabel, parseCorrelation, type EventLabelDefinition } from './event-label.js';
import { eventLabelSql } from './event-label-sql.js';

const at = (iso: string) => Date.parse(iso);

describe('event label definition', () => {
  it('reads deadlines: a date is due through that UTC day, a date-time to the second, anything else is no deadline', () => {
    expect(deadlineMs('2026-04-20')).toBe(at('2026-04-21T00:00:00Z'));
    expect(deadlineMs('2026-04-20T10:00:00.750+09:00')).toBe(at('2026-04-20T01:00:00Z'));
    expect(deadlineMs('2026-04-20 10:00')).toBeUndefined();
    expect(deadlineMs('2026-04-20T10:00:00')).toBeUndefined();
    expect(deadlineMs('soon')).toBeUndefined();
  });

  it('reads correlation_property as one path or "<anchor> in <outcome>"', () => {
    expect(parseCorrelation('')).toBeUndefined();
    expect(parseCorrelation('chargeId')).toEqual({ anchorPath: 'chargeId', outcomePath: 'chargeId' });
    expect(parseCorrelation('chargeId in chargeIds')).toEqual({ anchorPath: 'chargeId', outcomePath: 'chargeIds' });
    expect(() => parseCorrelation("chargeId in charge'Ids")).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => parseCorrelation('a b c')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  const unpaid: EventLabelDefinition = {
    anchorEvent: 'Charge',
    anchorFilters: [],
    outcomeEvent: 'Payment',
    correlation: { anchorPath: 'id', outcomePath: 'ids' },
    deadlineProperty: 'due',
    outcomeWindowMs: 10 * DAY_MS,
    positiveWhen: 'outcome_absent',
  };
  const event = (entityId: string, name: string, iso: string, properties: Record<string, unknown>) => ({
    entityId,
    messageId: `${name}-${iso}`,
    eventTimeMs: at(iso),
    type: 'track',
    event: name,
    properties,
  });

  it('labels an anchor positive when no correlated outcome of the same entity falls between it and deadline + window', () => {
    const events = [
      event('u', 'Charge', '2026-01-01T00:00:00Z', { id: 'a', due: '2026-01-10' }),
      event('u', 'Payment', '2026-01-20T23:59:59Z', { ids: ['x', 'a'] }),
      event('u', 'Charge', '2026-01-02T00:00:00Z', { id: 'b', due: '2026-01-10' }),
      event('u', 'Payment', '2026-01-21T00:00:00Z', { ids: 'b' }),
      event('v', 'Payment', '2026-01-05T00:00:00Z', { ids: ['c'] }),
      event('u', 'Charge', '2026-01-03T00:00:00Z', { id: 'c', due: '2026-01-10' }),
      event('u', 'Charge', '2026-01-04T00:00:00Z', { id: 'd', due: 'never' }),
      event('u', 'Charge', '2026-01-05T00:00:00Z', { due: '2026-01-10' }),
      event('u', 'Charge', '2026-01-06T00:00:00Z', { id: 'late', due: '2026-02-10' }),
    ];
    const rows = evaluateEventLabel(unpaid, events, { startMs: at('2026-01-01T00:00:00Z'), endMs: at('2026-02-01T00:00:00Z'), cutoffMs: at('2026-02-01T00:00:00Z') });
    expect(rows).toEqual([
      { entityId: 'u', labelTimeMs: at('2026-01-01T00:00:00Z'), label: 0 },
      { entityId: 'u', labelTimeMs: at('2026-01-02T00:00:00Z'), label: 1 },
      { entityId: 'u', labelTimeMs: at('2026-01-03T00:00:00Z'), label: 1 },
    ]);
    const present = evaluateEventLabel({ ...unpaid, positiveWhen: 'outcome_present' }, events, { startMs: 0, endMs: at('2026-02-01T00:00:00Z'), cutoffMs: at('2026-02-01T00:00:00Z') });
    expect(present.map((row) => row.label)).toEqual([1, 0, 0]);
  });

  it('builds one SQL that reads both events with FINAL and compares the outcome keys with the anchor key', () => {
    const text = eventLabelSql('events', unpaid, { startMs: 0, endMs: 1000, cutoffMs: 900 }).text;
    expect(text.match(/FINAL/g)).toHaveLength(3);
    expect(text).toContain('has(o_keys, a_key)');
    expect(text).toContain("parseDateTimeBestEffortOrNull(visitParamExtractString(properties, 'due'), 'UTC')");
    expect(text).toContain('a_deadline_or_null + 864000000 <= 900');
    expect(text).toContain('o_time >= a_time AND o_time < a_deadline + 864000000');
  });
});
