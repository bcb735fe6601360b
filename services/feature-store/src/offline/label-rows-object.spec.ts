import { Readable } from 'node:stream';
import { loadConfig } from '@kuroshio/config';
import type { ObjectStat } from '@kuroshio/object-store';
import { DomainError } from '@kuroshio/service-kit';
import { describe, expect, it } from 'vitest';
import { offlineConfig } from '../offline-settings.js';
import { parseRowsUri, readLabelRowsObject, type LabelRowsAccess } from './label-rows-object.js';
import { rejection } from '@kuroshio/testing';

const LAKE = 'kuroshio-lake';
const access: LabelRowsAccess = { locations: [{ bucket: LAKE, prefix: 'labels/' }, { bucket: 'ml-labels', prefix: '' }], maxBytes: 64 };

/** Objects in memory; `forbidden` keys answer as S3 does to a key the credentials may not read. */
class Objects {
  readonly objects = new Map<string, Buffer>();
  readonly forbidden = new Set<string>();
  readonly calls: string[] = [];
  /** What the next read answers instead of the stored object (replaced after the stat). */
  replacedBy: Buffer | undefined;

  async stat(bucket: string, key: string): Promise<ObjectStat> {
    this.calls.push(`stat ${bucket}/${key}`);
    return { key, size: this.#body(bucket, key).length, etag: '', lastModified: new Date(0), contentType: undefined, metadata: {}, sha256: undefined };
  }

  async getStream(bucket: string, key: string): Promise<Readable> {
    this.calls.push(`get ${bucket}/${key}`);
    const body = this.replacedBy ?? this.#body(bucket, key);
    return Readable.from([body.subarray(0, 40), body.subarray(40)]);
  }

  #body(bucket: string, key: string): Buffer {
    if (this.forbidden.has(`${bucket}/${key}`)) throw Object.assign(new Error('Access Denied.'), { code: 'AccessDenied' });
    const body = this.objects.get(`${bucket}/${key}`);
    if (body === undefined) throw Object.assign(new Error('The specified key does not exist.'), { code: 'NoSuchKey' });
    return body;
  }
}

async function read(store: Objects, uri: string): Promise<Buffer> {
  const { bucket, key } = parseRowsUri(uri);
  return readLabelRowsObject(store, access, uri, bucket, key);
}

const refusal = (promise: Promise<unknown>) => rejection(promise, DomainError);

describe('readLabelRowsObject', () => {
  it('reads an object under a configured location', async () => {
    const store = new Objects();
    store.objects.set(`${LAKE}/labels/july.ndjson`, Buffer.from('{"entity_id":"u1"}\n'));
    store.objects.set('ml-labels/any/where.ndjson', Buffer.from('x'));
    expect((await read(store, `s3://${LAKE}/labels/july.ndjson`)).toString()).toBe('{"entity_id":"u1"}\n');
    expect((await read(store, 's3://ml-labels/any/where.ndjson')).toString()).toBe('x');
  });

  it.each([
    ['another bucket', 's3://kuroshio-models/bad-debt/v1/model.json'],
    ['the lake outside labels/', `s3://${LAKE}/clean/events/part-0.parquet`],
    ['a prefix that only starts alike', `s3://${LAKE}/labels-private/x.ndjson`],
    ['a key climbing out of labels/', `s3://${LAKE}/labels/../clean/x.ndjson`],
    ['an empty segment', `s3://${LAKE}/labels//x.ndjson`],
  ])('refuses %s with INVALID_ARGUMENT before asking S3', async (_name, uri) => {
    const store = new Objects();
    expect(await refusal(read(store, uri))).toMatchObject({ code: 'INVALID_ARGUMENT', reason: 'label_rows_location_not_allowed' });
    expect(store.calls).toEqual([]);
  });

  it('says the same for a missing object and one it may not read', async () => {
    const store = new Objects();
    store.forbidden.add(`${LAKE}/labels/secret.ndjson`);
    const missing = await refusal(read(store, `s3://${LAKE}/labels/nothing.ndjson`));
    const forbidden = await refusal(read(store, `s3://${LAKE}/labels/secret.ndjson`));
    expect(missing).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'label_rows_unreadable' });
    expect(forbidden).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'label_rows_unreadable' });
    expect(forbidden.message.replace('secret', 'nothing')).toBe(missing.message);
    expect(missing.message).not.toMatch(/does not exist\.|NoSuchKey|Access Denied/);
  });

  it('refuses an object above the size limit after the stat, without reading it', async () => {
    const store = new Objects();
    store.objects.set(`${LAKE}/labels/big.ndjson`, Buffer.alloc(65));
    expect(await refusal(read(store, `s3://${LAKE}/labels/big.ndjson`))).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'label_rows_too_large' });
    expect(store.calls).toEqual([`stat ${LAKE}/labels/big.ndjson`]);
  });

  it('stops reading an object that grew past the limit after the stat', async () => {
    const store = new Objects();
    store.objects.set(`${LAKE}/labels/grows.ndjson`, Buffer.alloc(10));
    store.replacedBy = Buffer.alloc(1_000);
    expect(await refusal(read(store, `s3://${LAKE}/labels/grows.ndjson`))).toMatchObject({ reason: 'label_rows_too_large' });
  });
});

describe('label-rows settings', () => {
  it('default to no configured location and 256 MiB, and take s3:// locations ending in /', () => {
    expect(loadConfig(offlineConfig(), {})).toMatchObject({ labelRowsLocations: [], labelRowsMaxBytes: 256 * 1024 * 1024 });
    const env = { FEATURE_STORE_LABEL_ROWS_LOCATIONS: 's3://ml-labels/, s3://kuroshio-lake/labels/bank/', FEATURE_STORE_LABEL_ROWS_MAX_BYTES: '1000' };
    expect(loadConfig(offlineConfig(), env)).toMatchObject({
      labelRowsLocations: [
        { bucket: 'ml-labels', prefix: '' },
        { bucket: 'kuroshio-lake', prefix: 'labels/bank/' },
      ],
      labelRowsMaxBytes: 1000,
    });
    expect(() => loadConfig(offlineConfig(), { FEATURE_STORE_LABEL_ROWS_LOCATIONS: 's3://kuroshio-lake/labels' })).toThrow(/FEATURE_STORE_LABEL_ROWS_LOCATIONS/);
  });
});
