import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldFullwidth } from './fullwidth-folding.js';

describe('foldFullwidth', () => {
  it('folds full-width digits, letters, punctuation and the ideographic space to ASCII', () => {
    expect(foldFullwidth('０９１２－３４５　６７８，ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ')).toBe('0912-345 678,john@example.com');
  });

  it('folds typographic dashes and spaces to "-" and " "', () => {
    expect(foldFullwidth('0912\u2013345\u2013678 \u00B7 0912\u00A0345\u202F678 \u00B7 4111\u20121111\u20141111\u22121111\u2009A\u2010B\u2011C\u2007D\uFE63E')).toBe(
      '0912-345-678 \u00B7 0912 345 678 \u00B7 4111-1111-1111-1111 A-B-C D-E',
    );
  });

  it('leaves other text alone and returns the same string when there is nothing to fold', () => {
    const text = '我的電話是0912345678謝謝';
    expect(foldFullwidth(text)).toBe(text);
  });

  it('keeps the length, so indices in the folded text are valid in the original', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (text) => foldFullwidth(text).length === text.length));
  });
});
