/**
 * E-mail addresses: a practical subset of RFC 5322 — dot-atom local parts of ASCII letters, digits
 * and . _ % + - (plus-addressing included), and ASCII or punycode (xn--) domains with a TLD.
 *
 * Not recognised: quoted local parts, IP-literal domains and Unicode local parts or domains. Unicode
 * is refused on purpose: Traditional Chinese text runs straight into addresses without spaces
 * ("請寄到abc@example.com謝謝"), and a Unicode-aware pattern would swallow the surrounding words.
 */
const LOCAL_PART = '[A-Za-z0-9._%+\\-]{1,64}';
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9\\-]{0,61}[A-Za-z0-9])?';
const TOP_LEVEL = '(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9\\-]{1,59})';
export const EMAIL_ADDRESS_PATTERN = `${LOCAL_PART}@(?:${LABEL}\\.)+${TOP_LEVEL}(?![A-Za-z0-9\\-])`;

/**
 * The whole address lower-cased. RFC 5321 lets the local part be case-sensitive, but no large
 * mailbox provider treats it so, and channels disagree on case ("John.Doe@" from a form, "john.doe@"
 * from the CRM); lower-casing keeps their tokens equal. Plus tags are kept: stripping them is
 * provider-specific.
 */
export function canonicalEmailAddress(address: string): string {
  return address.toLowerCase();
}
