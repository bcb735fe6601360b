/**
 * Chinese input methods often produce full-width digits and punctuation (０９１２－３４５－６７８,
 * ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ) and the ideographic space; word processors and copy-paste from web
 * pages bring typographic dashes and spaces (0912–345–678, "0912 345 678" with no-break spaces).
 * Folding them to ASCII one code unit for one keeps every index of the folded text valid in the
 * original, so detection runs on the folded copy while replacement cuts the original and leaves
 * all other text exactly as it was.
 */
const FOLDABLE = /[\u00A0\u2007\u2009\u202F\u2010-\u2014\u2212\uFE63\u3000\uFF01-\uFF5E]/;
const FOLDABLE_ALL = new RegExp(FOLDABLE.source, 'g');

/** Spaces: no-break, figure, thin, narrow no-break, ideographic. */
const SPACES = new Set([0x00a0, 0x2007, 0x2009, 0x202f, 0x3000]);

function foldChar(c: string): string {
  const code = c.charCodeAt(0);
  if (SPACES.has(code)) return ' ';
  // Hyphen, non-breaking hyphen, figure dash, en dash, em dash, minus sign, small hyphen-minus.
  if (code < 0xff01) return '-';
  return String.fromCharCode(code - 0xfee0);
}

export function foldFullwidth(text: string): string {
  return FOLDABLE.test(text) ? text.replace(FOLDABLE_ALL, foldChar) : text;
}
