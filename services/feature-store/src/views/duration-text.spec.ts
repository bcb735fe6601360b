import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDurationText, parseDurationText } from './duration-text.js';

describe('duration text', () => {
  it.each([
    ['1d', 86_400_000],
    ['7d', 604_800_000],
    ['90d', 7_776_000_000],
    ['12h', 43_200_000],
    ['1w', 604_800_000],
    ['250ms', 250],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDurationText(text)).toBe(ms);
  });

  it.each(['', '0d', '1.5d', '-1d', '1y', 'd', '30 d', '07d', '1D'])('rejects %j', (text) => {
    expect(parseDurationText(text)).toBeUndefined();
  });

  it('reads back what it formats (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9_999_999 }), fc.constantFrom(1, 1_000, 60_000, 3_600_000, 86_400_000), (count, unit) => {
        expect(parseDurationText(formatDurationText(count * unit))).toBe(count * unit);
      }),
    );
  });
});
