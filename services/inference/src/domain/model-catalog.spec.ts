import { describe, expect, it } from 'vitest';
import { catalogOver, FakeLoadedModel, InMemoryModels } from '../testing/in-memory-serving.js';
import type { ServingModel } from './model-catalog.js';

const scoreOnce = (serving: ServingModel) => serving.score(new Float32Array(serving.model.spec.inputWidth), 1);

function catalogOf(models: InMemoryModels, coldLoadWaitMs = 5_000) {
  return catalogOver(models, { coldLoadWaitMs, batching: { maxBatchSize: 4, maxQueuedRows: 100 } });
}

describe('ModelCatalog', () => {
  it('warms a version with one dummy prediction before serving it', async () => {
    const models = new InMemoryModels().register('m', [1], { champion: 1 });
    const serving = await catalogOf(models).resolve({ modelName: 'm', alias: 'champion' });
    expect(serving.model.version).toBe(1);
    expect(models.loaded[0]?.calls).toEqual([1]);
  });

  it('keeps serving the previous version while the new one loads, then swaps and disposes the old one when unused', async () => {
    const models = new InMemoryModels().register('m', [1, 2], { champion: 1 });
    const catalog = catalogOf(models);
    const before = await catalog.resolve({ modelName: 'm', alias: 'champion' });
    let open!: () => void;
    models.gates.set('m@2', new Promise((resolve) => (open = resolve)));
    before.leases += 1; // a request between resolve and score
    const swap = catalog.aliasChanged('m', 'champion', 2);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await catalog.resolve({ modelName: 'm', alias: 'champion' })).model.version).toBe(1);
    open();
    await swap;
    expect(catalog.servedVersion('m', 'champion')).toBe(2);
    // The old version still answers the request that held it, then goes.
    await expect(before.score(new Float32Array(before.model.spec.inputWidth), 1)).resolves.toHaveLength(1);
    expect(models.loaded[0]?.disposed).toBe(false);
    before.leases -= 1;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(models.loaded[0]?.disposed).toBe(true);
  });

  it('keeps a version an alias is about to serve when another alias lets go of it (promotion: champion = challenger, challenger deleted, at once)', async () => {
    const models = new InMemoryModels().register('m', [1, 2], { champion: 1, challenger: 2 });
    const catalog = catalogOf(models);
    await catalog.resolve({ modelName: 'm', alias: 'champion' });
    await catalog.resolve({ modelName: 'm', alias: 'challenger' });
    await Promise.all([catalog.aliasChanged('m', 'champion', 2), catalog.aliasChanged('m', 'challenger', null)]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(scoreOnce(await catalog.resolve({ modelName: 'm', alias: 'champion' }))).resolves.toHaveLength(1);
    expect(catalog.loadedVersions()).toEqual(['m@2']);
  });

  it('keeps both versions when two aliases swap them at once', async () => {
    const models = new InMemoryModels().register('m', [1, 2], { champion: 1, challenger: 2 });
    const catalog = catalogOf(models);
    await catalog.resolve({ modelName: 'm', alias: 'champion' });
    await catalog.resolve({ modelName: 'm', alias: 'challenger' });
    await Promise.all([catalog.aliasChanged('m', 'champion', 2), catalog.aliasChanged('m', 'challenger', 1)]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const champion = await catalog.resolve({ modelName: 'm', alias: 'champion' });
    const challenger = await catalog.resolve({ modelName: 'm', alias: 'challenger' });
    expect([champion.model.version, challenger.model.version]).toEqual([2, 1]);
    await expect(scoreOnce(champion)).resolves.toHaveLength(1);
    await expect(scoreOnce(challenger)).resolves.toHaveLength(1);
    expect(models.loaded.map((model) => model.disposed)).toEqual([false, false]);
  });

  it('ignores changes of aliases it does not serve, and stops serving a deleted alias', async () => {
    const models = new InMemoryModels().register('m', [1], { champion: 1 });
    const catalog = catalogOf(models);
    await catalog.aliasChanged('m', 'challenger', 1);
    expect(models.loaded).toHaveLength(0);
    await catalog.resolve({ modelName: 'm', alias: 'champion' });
    await catalog.aliasChanged('m', 'champion', null);
    expect(catalog.servedVersion('m', 'champion')).toBeUndefined();
    models.aliases.delete('m@champion');
    await expect(catalog.resolve({ modelName: 'm', alias: 'champion' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('answers UNAVAILABLE while a cold model is still loading, and serves it once loaded', async () => {
    const models = new InMemoryModels().register('m', [1]);
    let open!: () => void;
    models.gates.set('m@1', new Promise((resolve) => (open = resolve)));
    const catalog = catalogOf(models, 20);
    await expect(catalog.resolve({ modelName: 'm', version: 1 })).rejects.toMatchObject({ code: 'UNAVAILABLE', reason: 'model_loading' });
    open();
    await expect(catalog.resolve({ modelName: 'm', version: 1 })).resolves.toMatchObject({ model: { version: 1 } });
  });

  it('without batching, runs each request as its own model call, at most maxConcurrentBatches at once, and sheds beyond maxQueuedRows with RESOURCE_EXHAUSTED', async () => {
    const models = new InMemoryModels().register('m', [1]);
    const catalog = catalogOver(models, { batching: { enabled: false, maxBatchSize: 64, maxQueueDelayMs: 5, maxQueuedRows: 3 } });
    const serving = await catalog.resolve({ modelName: 'm', version: 1 });
    const model = models.loaded[0] as FakeLoadedModel;
    let running = 0;
    let mostRunning = 0;
    const release: Array<() => void> = [];
    const score = model.score.bind(model);
    model.score = async (inputs, rows) => {
      running += 1;
      mostRunning = Math.max(mostRunning, running);
      await new Promise<void>((resolve) => release.push(resolve));
      running -= 1;
      return score(inputs, rows);
    };
    const rows = (n: number) => new Float32Array(n * serving.model.spec.inputWidth);
    const accepted = [serving.score(rows(1), 1), serving.score(rows(2), 2), serving.score(rows(1), 1)];
    // Shed at once, not queued behind the running call.
    const answeredWithin = (promise: Promise<unknown>, ms: number) => Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))]);
    await expect(answeredWithin(serving.score(rows(1), 1), 50)).rejects.toMatchObject({
      code: 'RESOURCE_EXHAUSTED',
      reason: 'queue_full',
      message: expect.stringMatching(/model m version 1 is overloaded: 3 rows are queued \(limit 3\)/),
    });
    while (release.length > 0 || running > 0) {
      release.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await expect(Promise.all(accepted)).resolves.toHaveLength(3);
    expect(mostRunning).toBe(1);
    expect(model.calls).toEqual([1, 1, 2, 1]);
  });

  it('retries a failed first load on the next request', async () => {
    const models = new InMemoryModels();
    const catalog = catalogOf(models);
    await expect(catalog.resolve({ modelName: 'm', alias: 'champion' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    models.register('m', [1], { champion: 1 });
    await expect(catalog.resolve({ modelName: 'm', alias: 'champion' })).resolves.toMatchObject({ model: { version: 1 } });
  });
});
