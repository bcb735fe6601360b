import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { characterNgrams, fnv1a32, hashText, normalisedCodePoints } from '@kuroshio/model-runtime';
import { classWeights } from './class-weights.js';

const codePoints = (text: string) => Array.from(text, (c) => c.codePointAt(0) as number);

describe('fnv1a32', () => {
  it('matches the published FNV-1a test vectors', () => {
    expect(fnv1a32(codePoints(''))).toBe(0x811c9dc5);
    expect(fnv1a32(codePoints('a'))).toBe(0xe40c292c);
    expect(fnv1a32(codePoints('foobar'))).toBe(0xbf9cf968);
  });

  it('hashes the UTF-8 bytes of any text, as Buffer encodes them', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        let expected = 0x811c9dc5;
        for (const byte of Buffer.from(text, 'utf8')) expected = Math.imul(expected ^ byte, 0x01000193) >>> 0;
        expect(fnv1a32(codePoints(text))).toBe(expected);
      }),
    );
  });
});

describe('character n-grams', () => {
  it('cut Traditional Chinese into code-point n-grams without a tokenizer', () => {
    expect(characterNgrams('帳單逾期', { ngramMin: 1, ngramMax: 3 })).toEqual(['帳', '單', '逾', '期', '帳單', '單逾', '逾期', '帳單逾', '單逾期']);
  });

  it('treat a character outside the BMP as one unit', () => {
    expect(characterNgrams('𠀋a', { ngramMin: 1, ngramMax: 2 })).toEqual(['𠀋', 'a', '𠀋a']);
  });

  it('fold full-width forms and case, and collapse white space', () => {
    expect(normalisedCodePoints('ＡＢＣ  １２３')).toEqual(codePoints('abc 123'));
  });
});

describe('hashText', () => {
  const config = { ngramMin: 1, ngramMax: 3, buckets: 1 << 14 };

  it('gives a unit-length vector with ascending buckets, the same every time', () => {
    const vector = hashText('我要查詢本月帳單，為什麼多扣了一百元？', config);
    expect(Array.from(vector.indices)).toEqual([...vector.indices].sort((a, b) => a - b));
    expect(Math.hypot(...vector.values)).toBeCloseTo(1, 5);
    expect(hashText('我要查詢本月帳單，為什麼多扣了一百元？', config)).toEqual(vector);
    expect(vector.indices.every((i) => i < config.buckets)).toBe(true);
  });

  it('puts similar messages closer than unrelated ones', () => {
    const dot = (a: ReturnType<typeof hashText>, b: ReturnType<typeof hashText>) => {
      const weights = new Map(Array.from(a.indices, (index, i) => [index, a.values[i] as number]));
      return Array.from(b.indices).reduce((sum, index, i) => sum + (weights.get(index) ?? 0) * (b.values[i] as number), 0);
    };
    const late = hashText('我的帳單逾期了，可以分期付款嗎', config);
    const alsoLate = hashText('帳單逾期怎麼辦，想申請分期', config);
    const unrelated = hashText('請問門市營業時間', config);
    expect(dot(late, alsoLate)).toBeGreaterThan(dot(late, unrelated) + 0.1);
  });

  it('maps null and empty text to the empty vector', () => {
    expect(hashText(null, config).indices).toHaveLength(0);
    expect(hashText('   ', config).indices).toHaveLength(0);
  });
});

describe('classWeights', () => {
  it('balances rare positives over the training rows', () => {
    const labels = Float64Array.of(1, 0, 0, 0, 1);
    expect(classWeights(labels, Uint32Array.of(0, 1, 2, 3), 'balanced')).toEqual({ positive: 2, negative: 4 / 6 });
    expect(classWeights(labels, Uint32Array.of(0, 1, 2, 3), 'none')).toEqual({ positive: 1, negative: 1 });
  });
});
