import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a source's config holds instead of its write key. */
export function hashWriteKey(writeKey: string): string {
  return createHash('sha256').update(writeKey, 'utf8').digest('hex');
}

/** A fresh write key: 32 random bytes, URL-safe, so it survives headers, URLs and shells. */
export function newWriteKey(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Compares two SHA-256 digests in constant time. Hashing first gives both sides the same length,
 * so neither the comparison nor a length check leaks how much of a guessed key was right.
 */
export function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export type WriteKeyCredential = { kind: 'none' } | { kind: 'malformed' } | { kind: 'key'; writeKey: string };

const BASIC = /^basic\s+([A-Za-z0-9+/=_-]+)\s*$/i;

/**
 * Reads the write key from an `Authorization` header as Segment SDKs send it:
 * `Basic base64(writeKey + ":")`, the key as the user name and an empty password.
 */
export function writeKeyFromAuthorization(header: string | undefined): WriteKeyCredential {
  if (header === undefined || header === '') return { kind: 'none' };
  const match = BASIC.exec(header);
  if (match === null) return { kind: 'malformed' };
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const writeKey = colon === -1 ? decoded : decoded.slice(0, colon);
  return writeKey === '' ? { kind: 'malformed' } : { kind: 'key', writeKey };
}
