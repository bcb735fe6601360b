import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the repository's `proto/` directory. This file sits one level below the
 * library root both as source (src/) and as build output (dist/), so the same relative URL
 * works from either; a container image must ship `proto/` next to `libs/`.
 */
export const protoRoot: string = fileURLToPath(new URL('../../../proto/', import.meta.url));

/** Absolute path of a proto file given relative to `proto/`, e.g. `kuroshio/ingest/v1/ingest_service.proto`. */
export function protoFile(relativePath: string): string {
  return join(protoRoot, relativePath);
}
