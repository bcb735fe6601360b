import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { Secret } from '@kuroshio/config';
import { Client, S3Error } from 'minio';
import { ChecksumMismatchError, SHA256_METADATA_KEY, Sha256Verifier, sha256Hex } from './checksum.js';
import { idleTimeoutTransport } from './idle-timeout-transport.js';

/** Matches `S3Settings` from @kuroshio/config (buckets are named per call). */
export interface ObjectStoreConnectionOptions {
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: Secret;
}

export interface ObjectStoreOptions extends ObjectStoreConnectionOptions {
  /** A request whose connection stays silent this long fails. */
  idleTimeoutMs?: number;
  checkTimeoutMs?: number;
}

export interface PutOptions {
  contentType?: string;
  /** User metadata (stored as `x-amz-meta-<name>`); `sha256` is reserved for the checksum. */
  metadata?: Record<string, string>;
}

export interface PutResult {
  etag: string;
  /** Hex sha256 of the body, as stored in the object's metadata. */
  sha256: string;
  size: number;
}

export interface ObjectSummary {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
}

export interface ObjectStat extends ObjectSummary {
  contentType: string | undefined;
  /** User metadata with lower-case names, without the `x-amz-meta-` prefix. */
  metadata: Record<string, string>;
  sha256: string | undefined;
}

const META_PREFIX = 'x-amz-meta-';

/**
 * S3 access for the lake and the model store. `put` records a sha256 of every body it writes and
 * `get`/`getStream` verify it, so a truncated or altered object is an error, not a bad model.
 */
export class ObjectStore {
  readonly name = 's3';
  private readonly client: Client;
  private readonly probe: Client;

  constructor(private readonly options: ObjectStoreOptions) {
    this.client = minioClient(options, options.idleTimeoutMs ?? 30_000);
    this.probe = minioClient(options, options.checkTimeoutMs ?? 3_000);
  }

  /** Creates the bucket unless it exists; safe to call from several processes at once. */
  async ensureBucket(bucket: string): Promise<'created' | 'exists'> {
    if (await this.client.bucketExists(bucket)) {
      return 'exists';
    }
    try {
      await this.client.makeBucket(bucket, this.options.region);
      return 'created';
    } catch (error) {
      if (error instanceof S3Error && (error.code === 'BucketAlreadyOwnedByYou' || error.code === 'BucketAlreadyExists')) {
        return 'exists';
      }
      throw error;
    }
  }

  /** Writes the whole body at once: its checksum has to be known before the upload starts. */
  async put(bucket: string, key: string, body: Buffer | Uint8Array | string, options: PutOptions = {}): Promise<PutResult> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const metadata = options.metadata ?? {};
    if (Object.keys(metadata).some((name) => name.toLowerCase().replace(META_PREFIX, '') === SHA256_METADATA_KEY)) {
      throw new Error(`metadata key "${SHA256_METADATA_KEY}" is reserved for the checksum put computes`);
    }
    const sha256 = sha256Hex(bytes);
    const { etag } = await this.client.putObject(bucket, key, bytes, bytes.length, {
      ...metadata,
      'Content-Type': options.contentType ?? 'application/octet-stream',
      [SHA256_METADATA_KEY]: sha256,
    });
    return { etag, sha256, size: bytes.length };
  }

  /** The whole object; throws ChecksumMismatchError when it does not match its recorded sha256. */
  async get(bucket: string, key: string): Promise<Buffer> {
    const response = await this.client.getObject(bucket, key);
    const body = await buffer(response);
    const expected = recordedSha256(response);
    const actual = expected === undefined ? undefined : sha256Hex(body);
    if (expected !== undefined && actual !== expected) {
      throw new ChecksumMismatchError(bucket, key, expected, actual ?? '');
    }
    return body;
  }

  /**
   * The object as a stream, for bodies too large to buffer. A checksum mismatch surfaces as an
   * error at the end of the stream, so consumers must not commit what they read before it ends.
   */
  async getStream(bucket: string, key: string): Promise<Readable> {
    const response = await this.client.getObject(bucket, key);
    const expected = recordedSha256(response);
    if (expected === undefined) {
      return response;
    }
    const verifier = new Sha256Verifier((actual) =>
      actual === expected ? undefined : new ChecksumMismatchError(bucket, key, expected, actual),
    );
    return pipeline(response, verifier, () => undefined);
  }

  async *list(bucket: string, prefix = ''): AsyncIterable<ObjectSummary> {
    for await (const item of this.client.listObjectsV2(bucket, prefix, true)) {
      if (item.name !== undefined) {
        yield { key: item.name, size: item.size, etag: item.etag, lastModified: item.lastModified };
      }
    }
  }

  async stat(bucket: string, key: string): Promise<ObjectStat> {
    const stat = await this.client.statObject(bucket, key);
    const metadata: Record<string, string> = {};
    let contentType: string | undefined;
    for (const [name, value] of Object.entries(stat.metaData)) {
      const lower = name.toLowerCase();
      if (lower === 'content-type') {
        contentType = String(value);
      } else if (!isStandardHeader(lower)) {
        metadata[lower] = String(value);
      }
    }
    return {
      key,
      size: stat.size,
      etag: stat.etag,
      lastModified: stat.lastModified,
      contentType,
      metadata,
      sha256: metadata[SHA256_METADATA_KEY],
    };
  }

  async remove(bucket: string, key: string): Promise<void> {
    await this.client.removeObject(bucket, key);
  }

  /**
   * Readiness: the endpoint answers an authenticated request. The minio client cannot be aborted,
   * so a caller's signal is not consulted; the probe's idle timeout bounds the wait instead.
   */
  async check(_signal?: AbortSignal): Promise<void> {
    await this.probe.listBuckets();
  }
}

function minioClient(options: ObjectStoreConnectionOptions, idleTimeoutMs: number): Client {
  const url = new URL(options.endpoint);
  const useSSL = url.protocol === 'https:';
  return new Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: options.accessKey,
    secretKey: options.secretKey.reveal(),
    region: options.region,
    // Path-style addressing works with every S3 implementation, virtual hosts need DNS per bucket.
    pathStyle: true,
    transport: idleTimeoutTransport(useSSL, idleTimeoutMs),
  });
}

function recordedSha256(response: Readable): string | undefined {
  const value = (response as IncomingMessage).headers?.[`${META_PREFIX}${SHA256_METADATA_KEY}`];
  return typeof value === 'string' ? value : undefined;
}

function isStandardHeader(name: string): boolean {
  return ['cache-control', 'content-encoding', 'content-disposition', 'content-language', 'x-amz-storage-class'].includes(name) ||
    name.startsWith('x-amz-server-side-encryption');
}
