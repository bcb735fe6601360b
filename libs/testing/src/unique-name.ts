import { randomBytes } from 'node:crypto';

const PREFIX = /^[a-z][a-z0-9._-]*$/;

/**
 * A name no earlier run used, so integration tests never share topics, databases or buckets.
 * Lower-case letters and digits only after the prefix: valid as a Kafka topic, a ClickHouse
 * identifier (with `_`) and an S3 bucket (with `-`).
 */
export function uniqueName(prefix: string, separator: '-' | '_' | '.' = '-'): string {
  if (!PREFIX.test(prefix)) {
    throw new Error(`prefix "${prefix}" must start with a-z and hold only a-z 0-9 . _ -`);
  }
  const suffix = `${Date.now().toString(36)}${separator}${randomBytes(4).toString('hex')}`;
  return `${prefix}${separator}${suffix}`;
}
