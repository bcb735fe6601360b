/**
 * Chinese input methods often produce full-width digits and punctuation (０９１２－３４５－６７８,
 * ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ) and the ideographic space. Folding them to ASCII one code unit for one
 * keeps every index of the folded text valid in the original, so detection runs on the folded copy
 * while replacement cuts the original and leaves all other text exactly as it was.
 */
const FULLWIDTH = /[\u3000\uFF01-\uFF5E]/;
const FULLWIDTH_ALL = /[\u3000\uFF01-\uFF5E]/g;

function foldChar(c: string): string {
  const code = c.charCodeAt(0);
  return code === 0x3000 ? ' ' : String.fromCharCode(code - 0xfee0);
}

export function foldFullwidth(text: string): string {
  return FULLWIDTH.test(text) ? text.replace(FULLWIDTH_ALL, foldChar) : text;
}
