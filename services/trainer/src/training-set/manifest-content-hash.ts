import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * `contentHash` of a training-set manifest as the feature store writes it (ADR 0014): SHA-256 (hex) of
 * the RFC 8785 (JCS) canonical JSON of every field except `createdAt` and `contentHash`. Computed over
 * the manifest as stored, not as parsed, so a field this reader does not know still counts.
 */
export function manifestContentHash(manifest: Readonly<Record<string, unknown>>): string {
  const { createdAt: _createdAt, contentHash: _contentHash, ...hashed } = manifest;
  const text = canonicalize(hashed);
  if (text === undefined) throw new Error('the training-set manifest cannot be canonicalised');
  return createHash('sha256').update(text).digest('hex');
}
