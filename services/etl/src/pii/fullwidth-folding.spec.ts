import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldFullwidth } from './fullwidth-folding.js';

describe('foldFullwidth', () => {
  it('folds full-width digits, letters, punctuation and the ideographic space to ASCII', () => {
    expect(foldFullwidth('０９１２－３４５　６７８，ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ')).toBe('0912-345 678,john@example.com');
  });

  it('leaves other text alone and returns the same string when there is nothing to fold', () => {
    const text = '我的電話是0912345678謝謝';
    expect(foldFullwidth(text)).toBe(text);
  });

  it('keeps the length, so indices in the folded text are valid in the original', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (text) => foldFullwidth(text).length === text.length));
  });
});
