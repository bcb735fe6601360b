import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ServerCredentials } from '@grpc/grpc-js';
import { inferenceError } from '../domain/inference-errors.js';
import type { InferenceSettings } from '../inference-settings.js';

/**
 * API keys: the caller sends `x-api-key`; the config holds only SHA-256 digests. The digest of the
 * presented key is compared with every configured one in constant time (no early exit), so
 * neither the key nor which entry matched leaks through timing.
 */
export class ApiKeyAuthenticator {
  readonly #digests: Buffer[];

  constructor(sha256Hex: readonly string[]) {
    this.#digests = sha256Hex.map((hex) => Buffer.from(hex, 'hex'));
  }

  /** Throws UNAUTHENTICATED unless `presented` is one of the keys. */
  check(presented: string | undefined): void {
    if (presented === undefined || presented === '') throw inferenceError('UNAUTHENTICATED', 'api_key_missing', 'an API key is required (metadata x-api-key)');
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let matched = false;
    for (const expected of this.#digests) matched = timingSafeEqual(digest, expected) || matched;
    if (!matched) throw inferenceError('UNAUTHENTICATED', 'api_key_invalid', 'the API key is not valid');
  }
}

/** gRPC server credentials: TLS when a certificate is configured, with client certificates required for mTLS. */
export function serverCredentials(settings: Pick<InferenceSettings, 'auth' | 'tls'>): ServerCredentials | undefined {
  if (settings.tls === undefined) return undefined;
  const { certFile, keyFile, clientCaFile } = settings.tls;
  const mtls = settings.auth.mode === 'mtls';
  return ServerCredentials.createSsl(
    mtls ? readFileSync(clientCaFile) : null,
    [{ cert_chain: readFileSync(certFile), private_key: readFileSync(keyFile) }],
    mtls,
  );
}
