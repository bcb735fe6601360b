import type { ObjectStore } from '@kuroshio/object-store';
import { DomainError } from '@kuroshio/service-kit';

// Label rows named by `rows_uri` are read with the feature store's own S3 credentials, which also
// reach the lake's events. So, as the registry does for artifacts (ADR 0013), only configured
// locations may be named (else a caller could have the store read, and report on, objects it
// cannot read itself), objects are bounded in size before they are buffered, and every failure to
// read says the same thing, so that the answer does not tell whether an object exists.

/** Where label rows may be read from: a bucket and a key prefix ('' or ending in '/'). */
export interface LabelRowsLocation {
  readonly bucket: string;
  readonly prefix: string;
}

/** In the lake bucket, unless FEATURE_STORE_LABEL_ROWS_LOCATIONS says otherwise. */
export const DEFAULT_LABEL_ROWS_PREFIX = 'labels/';

export interface LabelRowsAccess {
  readonly locations: readonly LabelRowsLocation[];
  /** Objects larger than this are refused before they are read. */
  readonly maxBytes: number;
}

const BUCKET = '[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]';
const S3_OBJECT_URI = new RegExp(`^s3://(${BUCKET})/(.+)$`);
/** A location as configured: s3://bucket/ or s3://bucket/prefix/. */
export const LABEL_ROWS_LOCATION_URI = new RegExp(`^s3://(${BUCKET})/((?:[^/\\s]+/)*)$`);

export function parseLabelRowsLocation(uri: string): LabelRowsLocation {
  const match = LABEL_ROWS_LOCATION_URI.exec(uri);
  if (match === null) throw new Error(`${uri} is not an s3://bucket/ or s3://bucket/prefix/ location`);
  return { bucket: match[1] as string, prefix: match[2] as string };
}

export function describeLabelRowsLocation(location: LabelRowsLocation): string {
  return `s3://${location.bucket}/${location.prefix}`;
}

/** Splits a rows_uri; INVALID_ARGUMENT when it is not s3://bucket/key. */
export function parseRowsUri(uri: string): { bucket: string; key: string } {
  const match = S3_OBJECT_URI.exec(uri);
  if (!match) throw new DomainError('INVALID_ARGUMENT', `rows_uri must be s3://<bucket>/<key>, got "${uri.slice(0, 200)}"`, { reason: 'invalid_rows_uri' });
  return { bucket: match[1] as string, key: match[2] as string };
}

/**
 * Refuses, without touching S3, a key outside every configured location — or one with empty, `.` or
 * `..` segments, which some S3 servers resolve like a file path.
 */
export function assertLabelRowsLocation(access: LabelRowsAccess, uri: string, bucket: string, key: string): void {
  const plain = key.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
  if (plain && access.locations.some((location) => location.bucket === bucket && key.startsWith(location.prefix))) return;
  throw new DomainError(
    'INVALID_ARGUMENT',
    `rows_uri ${uri.slice(0, 200)} is not under a label-rows location of this feature store (${access.locations.map(describeLabelRowsLocation).join(', ')})`,
    { reason: 'label_rows_location_not_allowed' },
  );
}

/** The object's bytes, once its location and size are allowed. */
export async function readLabelRowsObject(store: Pick<ObjectStore, 'stat' | 'getStream'>, access: LabelRowsAccess, uri: string, bucket: string, key: string): Promise<Buffer> {
  assertLabelRowsLocation(access, uri, bucket, key);
  // One message for missing, forbidden and failing alike; the cause stays in the service's log.
  const unreadable = (cause: unknown) =>
    new DomainError('FAILED_PRECONDITION', `cannot read label rows from ${uri.slice(0, 200)}: the object does not exist or cannot be read`, {
      reason: 'label_rows_unreadable',
      cause,
    });
  const size = await store.stat(bucket, key).then(
    (stat) => stat.size,
    (error: unknown) => {
      throw unreadable(error);
    },
  );
  if (size > access.maxBytes) {
    throw new DomainError('FAILED_PRECONDITION', `label rows at ${uri.slice(0, 200)} are ${size} bytes; at most ${access.maxBytes} are read`, { reason: 'label_rows_too_large' });
  }
  // Streamed and counted: the object may have been replaced by a larger one since the stat.
  const tooLarge = () => new DomainError('FAILED_PRECONDITION', `label rows at ${uri.slice(0, 200)} exceed ${access.maxBytes} bytes`, { reason: 'label_rows_too_large' });
  const chunks: Buffer[] = [];
  let read = 0;
  try {
    const stream = await store.getStream(bucket, key);
    for await (const chunk of stream) {
      read += (chunk as Buffer).length;
      if (read > access.maxBytes) throw tooLarge();
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    throw error instanceof DomainError ? error : unreadable(error);
  }
  return Buffer.concat(chunks);
}
