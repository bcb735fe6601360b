import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ArtifactChecksumError, ObjectStoreModelFiles, sha256Hex } from './object-store-model-files.js';

/** An object store in memory (the real one is exercised by inference's integration tests). */
function memoryStore() {
  const objects = new Map<string, Buffer>();
  return {
    objects,
    put: async (bucket: string, key: string, body: Buffer | Uint8Array | string) => {
      const bytes = Buffer.from(body);
      objects.set(`${bucket}/${key}`, bytes);
      return { etag: '', sha256: sha256Hex(bytes), size: bytes.length };
    },
    get: async (bucket: string, key: string) => {
      const body = objects.get(`${bucket}/${key}`);
      if (body === undefined) throw Object.assign(new Error('NoSuchKey'), { code: 'NoSuchKey' });
      return body;
    },
  };
}

async function tinyModel() {
  await tf.setBackend('cpu');
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [3], activation: 'sigmoid', kernelInitializer: 'ones' })] });
  return model;
}

describe('ObjectStoreModelFiles', () => {
  it('saves model.json + weights.bin and loads them back, verified against the registry checksums', async () => {
    const store = memoryStore();
    const model = await tinyModel();
    const writer = new ObjectStoreModelFiles(store, 'models', 'm/1/model/');
    await model.save(writer);
    expect(writer.written.map((f) => f.path)).toEqual(['model.json', 'weights.bin']);
    const loaded = await tf.loadLayersModel(new ObjectStoreModelFiles(store, 'models', 'm/1/model/', writer.written));
    const input = tf.tensor2d([[1, 2, 3]]);
    expect(Array.from((loaded.predict(input) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(input) as tf.Tensor).dataSync()));
  });

  it('refuses a file whose content is not what the registry recorded', async () => {
    const store = memoryStore();
    const writer = new ObjectStoreModelFiles(store, 'models', 'm/1/model/');
    await (await tinyModel()).save(writer);
    const weights = store.objects.get('models/m/1/model/weights.bin')!;
    weights[0] = (weights[0]! + 1) % 256;
    await expect(tf.loadLayersModel(new ObjectStoreModelFiles(store, 'models', 'm/1/model/', writer.written))).rejects.toBeInstanceOf(ArtifactChecksumError);
  });

  it('refuses a file the registry does not list', async () => {
    const store = memoryStore();
    const writer = new ObjectStoreModelFiles(store, 'models', 'm/1/model/');
    await (await tinyModel()).save(writer);
    await expect(tf.loadLayersModel(new ObjectStoreModelFiles(store, 'models', 'm/1/model/', [writer.written[0]!]))).rejects.toThrow(/not listed/);
  });
});
