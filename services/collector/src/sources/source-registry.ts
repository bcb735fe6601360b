import { DomainError } from '@kuroshio/service-kit';
import { hashWriteKey, sameDigest, type WriteKeyCredential } from '../auth/write-key.js';
import type { Source } from './source-definition.js';

/** Longer than any key we issue; hashing megabytes of "key" would be free work for an attacker. */
const MAX_WRITE_KEY_LENGTH = 512;

/**
 * The configured sources, found by write key or (for webhooks) by id. Lookup is by the key's
 * SHA-256, then the digests are compared with timingSafeEqual: the map lookup can only leak
 * something about a digest the caller cannot steer, never about the key.
 */
export class SourceRegistry {
  readonly #byDigest = new Map<string, { source: Source; digest: Buffer }>();
  readonly #byId = new Map<string, Source>();

  constructor(sources: readonly Source[]) {
    for (const source of sources) {
      const digest = source.writeKeySha256.reveal();
      this.#byDigest.set(digest, { source, digest: Buffer.from(digest, 'hex') });
      this.#byId.set(source.id, source);
    }
  }

  get size(): number {
    return this.#byId.size;
  }

  /** The source a write key belongs to; UNAUTHENTICATED otherwise (missing, malformed, unknown). */
  authenticate(credential: WriteKeyCredential): Source {
    switch (credential.kind) {
      case 'none':
        throw new DomainError('UNAUTHENTICATED', 'a write key is required (HTTP basic auth user, as Segment SDKs send it)', {
          reason: 'missing_write_key',
        });
      case 'malformed':
        throw new DomainError('UNAUTHENTICATED', 'authorization must be "Basic base64(writeKey:)"', { reason: 'malformed_authorization' });
      case 'key':
        return this.#sourceOf(credential.writeKey);
    }
  }

  /** The source whose webhook URL this is, if any. */
  byId(id: string): Source | undefined {
    return this.#byId.get(id);
  }

  #sourceOf(writeKey: string): Source {
    const unknown = () => new DomainError('UNAUTHENTICATED', 'unknown write key', { reason: 'unknown_write_key' });
    if (writeKey.length > MAX_WRITE_KEY_LENGTH) throw unknown();
    const hex = hashWriteKey(writeKey);
    const entry = this.#byDigest.get(hex);
    if (entry === undefined || !sameDigest(Buffer.from(hex, 'hex'), entry.digest)) throw unknown();
    return entry.source;
  }
}
