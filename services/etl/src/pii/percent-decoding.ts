/**
 * URLs carry PII percent-encoded: `?email=john%40example.com`, `tel=%2B886912345678`,
 * `tel%3A0912345678`. Scanned as written, the `@` is missing and the letters of `%2B`/`%3A` glue to
 * the digits, so nothing is found. The detection view decodes each `%XX` of a printable ASCII
 * character (0x20–0x7E); other sequences (the UTF-8 bytes of CJK text, control characters) stay as
 * written. `origin[i]` is the index in the text of the view's character `i` (`origin[view.length]`
 * is the text's length), so a value found in the view is replaced where it stands in the text,
 * encoded as it was sent.
 */
export interface DecodedView {
  readonly view: string;
  readonly origin: Int32Array;
}

const PERCENT_ASCII = /%(?:[2-6][0-9A-Fa-f]|7[0-9A-Ea-e])/;

export function percentDecodedView(text: string): DecodedView | undefined {
  if (!text.includes('%') || !PERCENT_ASCII.test(text)) return undefined;
  const origin = new Int32Array(text.length + 1);
  let view = '';
  let i = 0;
  while (i < text.length) {
    origin[view.length] = i;
    if (text.charCodeAt(i) === 37 /* % */ && i + 2 < text.length && isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2))) {
      const code = parseInt(text.slice(i + 1, i + 3), 16);
      if (code >= 0x20 && code <= 0x7e) {
        view += String.fromCharCode(code);
        i += 3;
        continue;
      }
    }
    view += text[i];
    i += 1;
  }
  origin[view.length] = text.length;
  return { view, origin: origin.subarray(0, view.length + 1) };
}

function isHex(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}
