import { createHmac, type KeyObject } from 'node:crypto';

/**
 * Tokens are `tok_<kind>_<26 base32 characters>`: the first 130 bits of HMAC-SHA256(key,
 * kind + ":" + canonical value). The kind is inside the MAC so that the same digits as a phone and
 * as a card give unrelated tokens. The alphabet is lower-case RFC 4648 base32 (a–z, 2–7): a token
 * starts with a letter and has no "@", so the scanner never mistakes one for a value
 * (digits inside it always touch a letter).
 */
export const PII_TOKEN_PATTERN = /^tok_(?:national_id|phone|email|card|field)_[a-z2-7]{26}$/;

const TOKEN_CHARS = 26;
const MAX_TOKEN_LENGTH = 'tok_national_id_'.length + TOKEN_CHARS;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Buffer, chars: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (let i = 0; out.length < chars; i++) {
    buffer = ((buffer << 8) | (bytes[i] as number)) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      bits -= 5;
      out += BASE32[(buffer >> bits) & 31];
    }
  }
  return out;
}

/** `kind` is a PiiKind, or "field" for a value tokenised only because a schema marks its field. */
export function piiToken(key: KeyObject, kind: string, canonical: string): string {
  const mac = createHmac('sha256', key).update(`${kind}:${canonical}`, 'utf8').digest();
  return `tok_${kind}_${base32(mac, TOKEN_CHARS)}`;
}

export function isPiiToken(value: string): boolean {
  return value.length <= MAX_TOKEN_LENGTH && value.startsWith('tok_') && PII_TOKEN_PATTERN.test(value);
}
