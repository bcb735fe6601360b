import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dateFromTimestamp, durationFromMs, msFromDuration, timestampFromDate } from './proto-time.js';

describe('proto time conversions', () => {
  it('round-trips any millisecond instant through Timestamp, with nanos in range', () => {
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true }), (date) => {
        const timestamp = timestampFromDate(date);
        expect(timestamp.nanos).toBeGreaterThanOrEqual(0);
        expect(timestamp.nanos).toBeLessThan(1_000_000_000);
        expect(dateFromTimestamp(timestamp).getTime()).toBe(date.getTime());
      }),
    );
  });

  it('represents instants before 1970 with non-negative nanos', () => {
    expect(timestampFromDate(new Date(-1))).toEqual({ seconds: -1, nanos: 999_000_000 });
  });

  it('round-trips durations with seconds and nanos of the same sign', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (ms) => {
        const duration = durationFromMs(ms);
        expect(Math.sign(duration.seconds) * Math.sign(duration.nanos)).toBeGreaterThanOrEqual(0);
        expect(msFromDuration(duration)).toBe(ms);
      }),
    );
  });

  it('refuses invalid input', () => {
    expect(() => timestampFromDate(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => durationFromMs(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
