import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** User metadata key under which `put` stores the body's sha256 (sent as `x-amz-meta-sha256`). */
export const SHA256_METADATA_KEY = 'sha256';

export class ChecksumMismatchError extends Error {
  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`s3://${bucket}/${key}: sha256 is ${actual}, metadata says ${expected}`);
    this.name = 'ChecksumMismatchError';
  }
}

export function sha256Hex(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/** Passes bytes through and fails the stream at its end if their sha256 is not the expected one. */
export class Sha256Verifier extends Transform {
  private readonly hash: Hash = createHash('sha256');

  constructor(private readonly onEnd: (actual: string) => Error | undefined) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.onEnd(this.hash.digest('hex')) ?? null);
  }
}
