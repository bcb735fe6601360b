import type { Metadata } from '@grpc/grpc-js';

/** Who asks for a change and why (from metadata or the request). */
export interface Caller {
  readonly actor: string;
  readonly reason: string;
}

/** Metadata key naming who makes a change; mutating calls without it get UNAUTHENTICATED. */
export const ACTOR_METADATA = 'x-kuroshio-actor';
/** Metadata key with the why of a change, for requests without a `reason` field. */
export const REASON_METADATA = 'x-kuroshio-reason';

function text(metadata: Metadata | undefined, key: string): string {
  const value = metadata?.get(key)[0];
  return typeof value === 'string' ? value : '';
}

/**
 * The caller of a change. The request's own `reason` wins; the metadata reason is the fallback.
 * Identity and reason are checked by the domain (empty actor: UNAUTHENTICATED).
 */
export function callerOf(metadata: Metadata | undefined, requestReason = ''): Caller {
  return { actor: text(metadata, ACTOR_METADATA), reason: requestReason !== '' ? requestReason : text(metadata, REASON_METADATA) };
}
