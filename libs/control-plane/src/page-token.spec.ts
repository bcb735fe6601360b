import { DomainError } from '@kuroshio/service-kit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePageToken, encodePageToken, page, pageSizeOf, PAGE_SIZE } from './page-token.js';

describe('page tokens', () => {
  it('round-trip their cursor and refuse tokens of another listing or garbage', () => {
    expect(decodePageToken('audit', encodePageToken('audit', 42), 'number')).toBe(42);
    expect(() => decodePageToken('audit', encodePageToken('models', 'a'), 'number')).toThrow(DomainError);
    expect(() => decodePageToken('audit', "'; DROP TABLE x", 'number')).toThrow(DomainError);
    fc.assert(
      fc.property(fc.string(), (garbage) => {
        try {
          decodePageToken('audit', garbage, 'number');
        } catch (error) {
          expect(error).toBeInstanceOf(DomainError);
        }
      }),
    );
  });

  it('refuses a numeric cursor that is not a safe integer, and a cursor of the wrong type', () => {
    expect(() => decodePageToken('audit', encodePageToken('audit', 1.5), 'number')).toThrow(DomainError);
    expect(() => decodePageToken('models', encodePageToken('models', 7), 'string')).toThrow(DomainError);
    expect(decodePageToken('models', encodePageToken('models', 'bad-debt'), 'string')).toBe('bad-debt');
    expect(decodePageToken('models', '', 'string')).toBeUndefined();
  });
});

describe('page sizes and pages', () => {
  it('defaults 0, caps large sizes and refuses negative or fractional ones', () => {
    expect(pageSizeOf(0)).toBe(PAGE_SIZE.default);
    expect(pageSizeOf(5)).toBe(5);
    expect(pageSizeOf(PAGE_SIZE.max + 1)).toBe(PAGE_SIZE.max);
    for (const bad of [-1, 1.5, Number.NaN]) expect(() => pageSizeOf(bad)).toThrow(DomainError);
  });

  it('walks a listing page by page with the tokens it hands out', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 7 }), (count, size) => {
        const items = Array.from({ length: count }, (_, index) => index * 10);
        const seen: number[] = [];
        let start = 0;
        for (;;) {
          const result = page(items, size, start, (item) => item, 'numbers');
          seen.push(...result.items);
          if (result.nextPageToken === '') break;
          const after = decodePageToken('numbers', result.nextPageToken, 'number');
          start = items.indexOf(after ?? -1) + 1;
        }
        expect(seen).toEqual(items);
      }),
    );
  });
});
