import { describe, expect, it, vi } from 'vitest';
import { catalogOver, InMemoryModels } from '../testing/in-memory-serving.js';

// How long a version stays loaded after the last request that pinned it, and what else keeps it.
const PIN_IDLE_MS = 40;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function catalogOf(models: InMemoryModels) {
  return catalogOver(models, { pinnedIdleMs: PIN_IDLE_MS, batching: { maxBatchSize: 4, maxQueuedRows: 100 } });
}

const disposed = (models: InMemoryModels) => models.loaded.filter((model) => model.disposed).map((model) => model.version);

describe('ModelCatalog: which versions stay in memory', () => {
  it('lets go of every replaced version after retrain-and-promote cycles with experiment traffic (which pins versions)', async () => {
    const models = new InMemoryModels().register('m', [1, 2, 3, 4], { champion: 1 });
    const catalog = catalogOf(models);
    await catalog.resolve({ modelName: 'm', alias: 'champion' });
    for (const challenger of [2, 3, 4]) {
      // The experiment routes units to the champion's and the challenger's versions by number.
      await catalog.resolve({ modelName: 'm', version: challenger - 1 });
      await catalog.resolve({ modelName: 'm', version: challenger });
      await catalog.aliasChanged('m', 'champion', challenger);
    }
    await sleep(PIN_IDLE_MS * 3);
    expect(catalog.loadedVersions()).toEqual(['m@4']);
    expect(disposed(models)).toEqual([1, 2, 3]);
  });

  it('keeps a pinned version while requests keep using it, and disposes it after the idle time', async () => {
    // The pin's clock and timers are faked (so a slow machine cannot stretch the gaps); loads and
    // disposal run on real immediates.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const models = new InMemoryModels().register('m', [1, 2], { champion: 1 });
      const catalog = catalogOf(models);
      await catalog.resolve({ modelName: 'm', version: 2 });
      for (let i = 0; i < 6; i++) {
        await vi.advanceTimersByTimeAsync(PIN_IDLE_MS / 2);
        await catalog.resolve({ modelName: 'm', version: 2 });
      }
      await vi.advanceTimersByTimeAsync(PIN_IDLE_MS - 1);
      expect(catalog.loadedVersions()).toEqual(['m@2']);
      await vi.advanceTimersByTimeAsync(1);
      expect(catalog.loadedVersions()).toEqual([]);
      await new Promise((resolve) => setImmediate(resolve));
      await vi.advanceTimersByTimeAsync(0);
      expect(disposed(models)).toEqual([2]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps a version a request still holds past the idle time, until it lets go', async () => {
    const models = new InMemoryModels().register('m', [1]);
    const catalog = catalogOf(models);
    const serving = await catalog.resolve({ modelName: 'm', version: 1 });
    serving.leases += 1;
    await sleep(PIN_IDLE_MS * 3);
    expect(disposed(models)).toEqual([]);
    await expect(serving.score(new Float32Array(serving.model.spec.inputWidth), 1)).resolves.toHaveLength(1);
    serving.leases -= 1;
    await sleep(100);
    expect(disposed(models)).toEqual([1]);
  });

  it('keeps a preloaded version for good', async () => {
    const models = new InMemoryModels().register('m', [1]);
    const catalog = catalogOf(models);
    await catalog.preload({ modelName: 'm', version: 1 });
    await sleep(PIN_IDLE_MS * 3);
    expect(catalog.loadedVersions()).toEqual(['m@1']);
  });

  it('does not hold on to a version that was unknown when a request pinned it', async () => {
    const models = new InMemoryModels().register('m', [1, 3], { champion: 1 });
    const catalog = catalogOf(models);
    await expect(catalog.resolve({ modelName: 'm', version: 2 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    models.register('m', [1, 2, 3], { champion: 1 });
    await catalog.resolve({ modelName: 'm', alias: 'champion' });
    await catalog.aliasChanged('m', 'champion', 2);
    await catalog.aliasChanged('m', 'champion', 3);
    await sleep(PIN_IDLE_MS * 3);
    expect(catalog.loadedVersions()).toEqual(['m@3']);
    expect(disposed(models)).toEqual([1, 2]);
  });

  it('applies only the latest of changes that arrive while a load is in progress, and disposes the version whose load lost', async () => {
    const models = new InMemoryModels().register('m', [1, 2, 3], { champion: 1 });
    const catalog = catalogOf(models);
    await catalog.resolve({ modelName: 'm', alias: 'champion' });
    let open!: () => void;
    models.gates.set('m@2', new Promise((resolve) => (open = resolve)));
    const toTwo = catalog.aliasChanged('m', 'champion', 2);
    await catalog.aliasChanged('m', 'champion', 3);
    open();
    await toTwo;
    await sleep(20);
    expect(catalog.servedVersion('m', 'champion')).toBe(3);
    expect(catalog.loadedVersions()).toEqual(['m@3']);
    expect(disposed(models).sort()).toEqual([1, 2]);
  });

  it('disposes the first version of an alias when an alias change overtook its load', async () => {
    const models = new InMemoryModels().register('m', [1, 2], { champion: 1 });
    const catalog = catalogOf(models);
    let open!: () => void;
    models.gates.set('m@1', new Promise((resolve) => (open = resolve)));
    const first = catalog.resolve({ modelName: 'm', alias: 'champion' });
    await sleep(5);
    await catalog.aliasChanged('m', 'champion', 2);
    open();
    // The request that asked before the change is served by the newest version.
    await expect(first).resolves.toMatchObject({ model: { version: 2 } });
    await sleep(20);
    expect(catalog.loadedVersions()).toEqual(['m@2']);
    expect(disposed(models)).toEqual([1]);
  });

  it('disposes the first version of an alias deleted while it loaded, after serving the requests that waited for it', async () => {
    const models = new InMemoryModels().register('m', [1], { champion: 1 });
    const catalog = catalogOf(models);
    let open!: () => void;
    models.gates.set('m@1', new Promise((resolve) => (open = resolve)));
    const first = catalog.resolve({ modelName: 'm', alias: 'champion' });
    await sleep(5);
    await catalog.aliasChanged('m', 'champion', null);
    open();
    const serving = await first;
    serving.leases += 1;
    await sleep(20);
    await expect(serving.score(new Float32Array(serving.model.spec.inputWidth), 1)).resolves.toHaveLength(1);
    serving.leases -= 1;
    await sleep(100);
    expect(catalog.loadedVersions()).toEqual([]);
    expect(disposed(models)).toEqual([1]);
  });
});
