import { invalidArgument } from './registry-errors.js';

// Where an artifact file lives. URIs are s3://bucket/prefix; the registry reads only buckets it is
// configured for (the models bucket by default), so a caller cannot make it read — and confirm
// checksums of — objects elsewhere, such as the data lake.

const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;
const SEGMENT = /^[A-Za-z0-9._=+@,-]+$/;
const MAX_KEY_LENGTH = 1024;

export interface ObjectLocation {
  readonly bucket: string;
  readonly key: string;
}

export interface ArtifactRoot {
  readonly bucket: string;
  /** Key prefix without leading or trailing slash; '' for the bucket's root. */
  readonly prefix: string;
}

/** Splits and checks an artifact uri. */
export function parseArtifactUri(uri: string, field: string, allowedBuckets: readonly string[]): ArtifactRoot {
  const match = S3_URI.exec(uri);
  if (match === null) throw invalidArgument(`${field} ${JSON.stringify(uri.slice(0, 200))} is not an s3://bucket/prefix URI`, 'invalid_artifact_uri', { field });
  const bucket = match[1] ?? '';
  const prefix = (match[2] ?? '').replace(/\/$/, '');
  if (!allowedBuckets.includes(bucket)) {
    throw invalidArgument(`${field}: bucket ${bucket} is not an artifact bucket of this registry (${allowedBuckets.join(', ')})`, 'artifact_bucket_not_allowed', { field });
  }
  if (prefix !== '') checkSegments(prefix, field);
  return { bucket, prefix };
}

/** Checks a file path relative to its artifact's uri: plain segments, no `.`, `..` or empty ones. */
export function checkRelativePath(path: string, field: string): string {
  if (path === '') throw invalidArgument(`${field} is empty`, 'invalid_artifact_path', { field });
  checkSegments(path, field);
  return path;
}

export function objectLocation(root: ArtifactRoot, path: string): ObjectLocation {
  const key = root.prefix === '' ? path : `${root.prefix}/${path}`;
  return { bucket: root.bucket, key };
}

export function describeLocation(location: ObjectLocation): string {
  return `s3://${location.bucket}/${location.key}`;
}

function checkSegments(path: string, field: string): void {
  if (path.length > MAX_KEY_LENGTH) throw invalidArgument(`${field} is longer than ${MAX_KEY_LENGTH} characters`, 'invalid_artifact_path', { field });
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.' || segment === '..' || !SEGMENT.test(segment)) {
      throw invalidArgument(
        `${field} ${JSON.stringify(path.slice(0, 200))} has a bad path segment ${JSON.stringify(segment.slice(0, 80))} (allowed: A-Z a-z 0-9 . _ = + @ , -; no empty, . or ..)`,
        'invalid_artifact_path',
        { field },
      );
    }
  }
}
