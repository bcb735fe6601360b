import { describe, expect, it } from 'vitest';
import { settleEventTime } from './event-time.js';

const settings = { lateAfterMs: 86_400_000, futureToleranceMs: 300_000 };

describe('settleEventTime', () => {
  it('shifts the device time by receivedAt − sentAt (Segment\'s clock-skew rule), in UTC', () => {
    // Device clock 10 minutes behind: it says sent 00:50:05, the server received at 01:00:07.
    const time = settleEventTime({ timestamp: '2026-11-27T08:50:00+08:00', sentAt: '2026-11-27T00:50:05Z', receivedAt: '2026-11-27T01:00:07Z' }, settings);
    expect(time.clockSkewMs).toBe(602_000);
    expect(time.eventTime.toISOString()).toBe('2026-11-27T01:00:02.000Z');
    expect(time).toMatchObject({ late: false, future: false });
  });

  it('leaves the timestamp alone without sentAt, and falls back to sentAt, then receivedAt, without a timestamp', () => {
    expect(settleEventTime({ timestamp: '2026-11-27T00:59:00Z', receivedAt: '2026-11-27T01:00:00Z' }, settings)).toMatchObject({ clockSkewMs: 0 });
    expect(settleEventTime({ timestamp: '2026-11-27T00:59:00Z', receivedAt: '2026-11-27T01:00:00Z' }, settings).eventTime.toISOString()).toBe('2026-11-27T00:59:00.000Z');
    expect(settleEventTime({ sentAt: '2026-11-27T00:59:50Z', receivedAt: '2026-11-27T01:00:00Z' }, settings).eventTime.toISOString()).toBe('2026-11-27T01:00:00.000Z');
    expect(settleEventTime({ receivedAt: '2026-11-27T01:00:00Z' }, settings).eventTime.toISOString()).toBe('2026-11-27T01:00:00.000Z');
  });

  it('clamps an event still in the future after correction to receivedAt and flags it', () => {
    const time = settleEventTime({ timestamp: '2026-11-28T01:00:00Z', receivedAt: '2026-11-27T01:00:00Z' }, settings);
    expect(time).toMatchObject({ future: true, late: false });
    expect(time.eventTime.toISOString()).toBe('2026-11-27T01:00:00.000Z');
    expect(settleEventTime({ timestamp: '2026-11-27T01:04:00Z', receivedAt: '2026-11-27T01:00:00Z' }, settings).future).toBe(false);
  });

  it('flags events that arrive later than lateAfterMs', () => {
    expect(settleEventTime({ timestamp: '2026-11-25T01:00:00Z', receivedAt: '2026-11-27T01:00:00Z' }, settings).late).toBe(true);
    expect(settleEventTime({ timestamp: '2026-11-26T02:00:00Z', receivedAt: '2026-11-27T01:00:00Z' }, settings).late).toBe(false);
  });

  it('calls an event before 2000 implausible (a device with an unset clock and no sentAt)', () => {
    expect(settleEventTime({ timestamp: '1970-01-01T00:00:05Z', receivedAt: '2026-11-27T01:00:00Z' }, settings).implausible).toBe(true);
    // With sentAt from the same clock, the correction repairs it.
    const repaired = settleEventTime({ timestamp: '1970-01-01T00:00:05Z', sentAt: '1970-01-01T00:00:10Z', receivedAt: '2026-11-27T01:00:00Z' }, settings);
    expect(repaired).toMatchObject({ implausible: false, late: false });
    expect(repaired.eventTime.toISOString()).toBe('2026-11-27T00:59:55.000Z');
  });
});
