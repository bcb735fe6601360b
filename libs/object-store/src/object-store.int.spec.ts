import { createServer, type Socket } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { stackEndpoints, uniqueName } from '@kuroshio/testing';
import { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChecksumMismatchError, sha256Hex } from './checksum.js';
import { ObjectStore, type ObjectSummary } from './object-store.js';

describe('ObjectStore against the local S3 server', () => {
  const settings = stackEndpoints().s3;
  const bucket = uniqueName('it-objects');
  const store = new ObjectStore(settings);
  // Writes objects behind the store's back, to simulate corruption.
  const raw = new Client({
    endPoint: new URL(settings.endpoint).hostname,
    port: Number(new URL(settings.endpoint).port),
    useSSL: false,
    accessKey: settings.accessKey,
    secretKey: settings.secretKey.reveal(),
    region: settings.region,
    pathStyle: true,
  });

  beforeAll(async () => {
    await store.check();
  });

  afterAll(async () => {
    for await (const object of store.list(bucket)) {
      await store.remove(bucket, object.key);
    }
    await raw.removeBucket(bucket).catch(() => undefined);
  });

  it('creates a bucket once', async () => {
    expect(await store.ensureBucket(bucket)).toBe('created');
    expect(await store.ensureBucket(bucket)).toBe('exists');
  });

  it('puts, stats, gets, streams and lists objects with their checksum', async () => {
    const body = Buffer.from(JSON.stringify({ model: 'churn', weights: [0.1, -2.5], note: '日本語 😀' }));
    const put = await store.put(bucket, 'models/churn/v1/model.json', body, { contentType: 'application/json', metadata: { 'dataset-hash': 'abc123' } });
    expect(put).toMatchObject({ sha256: sha256Hex(body), size: body.length });
    expect(put.etag).toMatch(/^[0-9a-f-]+$/);

    const stat = await store.stat(bucket, 'models/churn/v1/model.json');
    expect(stat).toMatchObject({ key: 'models/churn/v1/model.json', size: body.length, contentType: 'application/json', sha256: put.sha256 });
    expect(stat.metadata).toMatchObject({ 'dataset-hash': 'abc123', sha256: put.sha256 });

    expect(await store.get(bucket, 'models/churn/v1/model.json')).toEqual(body);
    expect(await buffer(await store.getStream(bucket, 'models/churn/v1/model.json'))).toEqual(body);

    await store.put(bucket, 'models/churn/v1/weights.bin', Buffer.alloc(70_000, 7));
    await store.put(bucket, 'models/other/v1/model.json', '{}');
    const listed: ObjectSummary[] = [];
    for await (const object of store.list(bucket, 'models/churn/')) {
      listed.push(object);
    }
    expect(listed.map(({ key, size }) => ({ key, size }))).toEqual([
      { key: 'models/churn/v1/model.json', size: body.length },
      { key: 'models/churn/v1/weights.bin', size: 70_000 },
    ]);
    expect(listed.every((object) => object.lastModified instanceof Date && object.etag.length > 0)).toBe(true);
  });

  it('detects an object whose bytes do not match its recorded sha256', async () => {
    const claimed = sha256Hex(Buffer.from('what was written'));
    await raw.putObject(bucket, 'lake/tampered.ndjson', Buffer.from('what is stored now'), undefined, { sha256: claimed });
    await expect(store.get(bucket, 'lake/tampered.ndjson')).rejects.toBeInstanceOf(ChecksumMismatchError);
    await expect(buffer(await store.getStream(bucket, 'lake/tampered.ndjson'))).rejects.toBeInstanceOf(ChecksumMismatchError);
  });

  it('reads objects without a recorded checksum as they are', async () => {
    await raw.putObject(bucket, 'lake/foreign.txt', Buffer.from('written by another tool'));
    expect(String(await store.get(bucket, 'lake/foreign.txt'))).toBe('written by another tool');
  });

  it('removes objects', async () => {
    await store.put(bucket, 'tmp/gone', 'x');
    await store.remove(bucket, 'tmp/gone');
    await expect(store.stat(bucket, 'tmp/gone')).rejects.toThrow();
  });

  it('refuses metadata that would overwrite the checksum', async () => {
    await expect(store.put(bucket, 'x', 'y', { metadata: { SHA256: 'forged' } })).rejects.toThrow(/reserved/);
  });

  it('fails the readiness check when nothing listens', async () => {
    const unreachable = new ObjectStore({ ...settings, endpoint: 'http://127.0.0.1:1', checkTimeoutMs: 1_000 });
    await expect(unreachable.check()).rejects.toThrow();
  });

  it('fails the readiness check when the server accepts but never answers', async () => {
    const held: Socket[] = [];
    const silent = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const address = silent.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const stalled = new ObjectStore({ ...settings, endpoint: `http://127.0.0.1:${port}`, checkTimeoutMs: 500 });
      const started = Date.now();
      await expect(stalled.check()).rejects.toThrow(/idle for 500 ms/);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      held.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
