import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ObjectStat } from '@kuroshio/object-store';
import { DomainError } from '@kuroshio/service-kit';
import { describe, expect, it } from 'vitest';
import type { Artifact, ArtifactKind } from '../domain/registry-change.js';
import { MODELS_BUCKET } from '../testing/in-memory-ports.js';
import { S3ArtifactVerifier } from './s3-artifact-verifier.js';
import { rejection } from '@kuroshio/testing';

// The verifier over objects in memory: what it reads and how it judges a model's files. Reading
// from a real S3 is covered by the registry's integration test.

const PREFIX = 'bad-debt/run-1/model';

class ObjectsInMemory {
  readonly objects = new Map<string, Buffer>();
  readonly reads: string[] = [];

  async stat(bucket: string, key: string): Promise<ObjectStat> {
    const body = this.#body(bucket, key);
    return { key, size: body.length, etag: '', lastModified: new Date(0), contentType: undefined, metadata: {}, sha256: undefined };
  }

  async getStream(bucket: string, key: string): Promise<Readable> {
    this.reads.push(key);
    return Readable.from([this.#body(bucket, key)]);
  }

  #body(bucket: string, key: string): Buffer {
    const body = bucket === MODELS_BUCKET ? this.objects.get(key) : undefined;
    if (body === undefined) throw Object.assign(new Error('not found'), { code: 'NotFound' });
    return body;
  }
}

function modelJson(paths: readonly string[][] | undefined): Buffer {
  return Buffer.from(JSON.stringify({ format: 'layers-model', modelTopology: {}, ...(paths === undefined ? {} : { weightsManifest: paths.map((group) => ({ paths: group, weights: [] })) }) }));
}

/** Stores the files and answers the artifact that lists the ones named in `listed`. */
function stored(store: ObjectsInMemory, files: Record<string, Buffer>, listed: readonly string[] = Object.keys(files), kind: ArtifactKind = 'model'): Artifact {
  for (const [path, body] of Object.entries(files)) store.objects.set(`${PREFIX}/${path}`, body);
  return {
    kind,
    uri: `s3://${MODELS_BUCKET}/${PREFIX}`,
    files: listed.map((path) => {
      const body = files[path] ?? Buffer.alloc(0);
      return { path, sha256: createHash('sha256').update(body).digest('hex'), sizeBytes: body.length };
    }),
    metrics: {},
  };
}

const refusal = (promise: Promise<unknown>) => rejection(promise, DomainError);

describe('S3ArtifactVerifier', () => {
  it('accepts a model whose model.json names only listed, matching weight files', async () => {
    const store = new ObjectsInMemory();
    const artifact = stored(store, { 'model.json': modelJson([['group1-shard1of2.bin', 'group1-shard2of2.bin']]), 'group1-shard1of2.bin': Buffer.from('a'), 'group1-shard2of2.bin': Buffer.from('b') });
    await new S3ArtifactVerifier(store, [MODELS_BUCKET]).verify([artifact]);
    expect(store.reads.sort()).toEqual([`${PREFIX}/group1-shard1of2.bin`, `${PREFIX}/group1-shard2of2.bin`, `${PREFIX}/model.json`]);
  });

  it.each<[string, ArtifactKind]>([
    ['a full-precision model', 'model'],
    ['a quantised model', 'model_quantized_uint8'],
  ])('refuses %s whose model.json names a weight file the registration does not list, naming it', async (_name, kind) => {
    const store = new ObjectsInMemory();
    const artifact = stored(store, { 'model.json': modelJson([['weights.bin']]), 'weights.bin': Buffer.from('w') }, ['model.json'], kind);
    const error = await refusal(new S3ArtifactVerifier(store, [MODELS_BUCKET]).verify([artifact]));
    expect(error).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'artifact_incomplete', details: { path: 'weights.bin' } });
    expect(error.message).toContain('weights.bin');
  });

  it('refuses a model.json that is not a model description', async () => {
    const store = new ObjectsInMemory();
    for (const body of ['not json', '[1]', '{"weightsManifest":{}}', '{"weightsManifest":[{"paths":[7]}]}']) {
      const artifact = stored(store, { 'model.json': Buffer.from(body) });
      const error = await refusal(new S3ArtifactVerifier(store, [MODELS_BUCKET]).verify([artifact]));
      expect(error).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'model_json_invalid' });
    }
  });

  it('accepts a model.json without a weights manifest (tfjs: a model without weights)', async () => {
    const store = new ObjectsInMemory();
    await new S3ArtifactVerifier(store, [MODELS_BUCKET]).verify([stored(store, { 'model.json': modelJson(undefined) })]);
  });

  it('does not read a model.json of an artifact that is not a model as one', async () => {
    const store = new ObjectsInMemory();
    await new S3ArtifactVerifier(store, [MODELS_BUCKET]).verify([stored(store, { 'model.json': modelJson([['weights.bin']]) }, ['model.json'], 'normalizer')]);
  });
});
