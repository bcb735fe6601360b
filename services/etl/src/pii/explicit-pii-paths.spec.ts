import { describe, expect, it } from 'vitest';
import { advanceCursors, compilePiiPaths, completesPath, rootCursors } from './explicit-pii-paths.js';

function reaches(paths: string[], keys: string[]): boolean {
  let cursors = rootCursors(compilePiiPaths(paths));
  for (const key of keys) {
    if (cursors === undefined) return false;
    cursors = advanceCursors(cursors, key);
  }
  return cursors !== undefined && completesPath(cursors);
}

describe('explicit PII paths', () => {
  it.each([
    [['traits.phone'], ['traits', 'phone'], true],
    [['traits.phone'], ['traits', 'email'], false],
    [['traits.phone'], ['traits'], false],
    [['properties.card.number'], ['properties', 'card', 'number'], true],
    [['properties.*.number'], ['properties', 'card', 'number'], true],
    [['properties.items.*.email'], ['properties', 'items', '3', 'email'], true],
    [['*'], ['anything'], true],
    [['a.b', 'c'], ['c'], true],
  ])('%j reaches %j: %s', (paths, keys, expected) => {
    expect(reaches(paths, keys)).toBe(expected);
  });

  it('refuses empty segments', () => {
    expect(() => compilePiiPaths(['traits..phone'])).toThrow(RangeError);
    expect(() => compilePiiPaths([''])).toThrow(RangeError);
  });

  it('has no cursors for no paths', () => {
    expect(rootCursors(compilePiiPaths([]))).toBeUndefined();
  });
});
