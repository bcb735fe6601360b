import { describe, expect, it } from 'vitest';
import { percentDecodedView } from './percent-decoding.js';

describe('percentDecodedView', () => {
  it('decodes printable ASCII escapes and maps every view index back into the text', () => {
    const text = 'a%40b%2Bc%E5%8F%B0d';
    const decoded = percentDecodedView(text)!;
    expect(decoded.view).toBe('a@b+c%E5%8F%B0d');
    expect([...decoded.origin]).toEqual([0, 1, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    for (let i = 0; i < decoded.view.length; i++) {
      const written = text.slice(decoded.origin[i], decoded.origin[i + 1]);
      expect(written.length === 3 ? String.fromCharCode(parseInt(written.slice(1), 16)) : written).toBe(decoded.view[i]);
    }
  });

  it('leaves text without a decodable escape alone (no view)', () => {
    expect(percentDecodedView('50% off, %zz, %7F and %0A')).toBeUndefined();
    expect(percentDecodedView('no percent at all')).toBeUndefined();
    expect(percentDecodedView('ends with %4')).toBeUndefined();
  });
});
