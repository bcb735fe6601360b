/**
 * JSON text that does not parse (truncated, or not UTF-8) can only be scanned as text, where an
 * escape sits right against the value it precedes: in `\n0912345678` the character before the
 * digits is the letter n, so the word-boundary rule refuses the phone, and in `\nwang@example.com`
 * the address would start at the n (its token then glued to the backslash, `\tok_email_…`). The
 * detection view masks each escape with as many `#` (a boundary, never part of a value) as it has
 * code units, so every index of the view is valid in the text, as with full-width folding.
 */
const JSON_ESCAPE = /\\(?:u[0-9A-Fa-f]{4}|[^])/g;

export function maskJsonEscapes(text: string): string {
  return text.includes('\\') ? text.replace(JSON_ESCAPE, (escape) => '#'.repeat(escape.length)) : text;
}
