import type { StructuredLogger } from '@kuroshio/telemetry';
import { inferenceError, unavailable } from './inference-errors.js';
import { MicroBatcher, type MicroBatchLimits, type MicroBatchObserver } from './micro-batcher.js';
import { describeTarget, isAliasTarget, type ModelTarget } from './model-selector.js';
import type { LoadedModel, ModelLoader, ModelRegistryPort } from './serving-model.js';

/** A loaded version with the micro-batcher in front of it. */
export interface ServingModel {
  readonly model: LoadedModel;
  /** Scores a block of rows through the batcher (or directly when batching is off). */
  score(inputs: Float32Array, rows: number): Promise<Float32Array>;
  /** Settles when no batch of this version is queued or running. */
  idle(): Promise<void>;
  /** Requests holding this version between resolving it and scoring with it; it is not disposed while any do. */
  leases: number;
}

export interface CatalogOptions {
  readonly registry: ModelRegistryPort;
  readonly loader: ModelLoader;
  readonly batching: MicroBatchLimits & { readonly enabled: boolean };
  readonly coldLoadWaitMs: number;
  readonly logger: StructuredLogger;
  readonly observer?: (model: string) => MicroBatchObserver;
  readonly onSwap?: (modelName: string, alias: string, from: number | undefined, to: number) => void;
}

interface AliasSlot {
  /** What serves now; undefined until the first version loaded. */
  current: ServingModel | undefined;
  /** The version the alias should serve (latest known); loads for older targets are discarded. */
  wanted: number | undefined;
  /** Resolves when the first version is in place. */
  firstLoad: Promise<ServingModel> | undefined;
}

const key = (modelName: string, part: string | number) => `${modelName}@${part}`;

/**
 * The versions inference serves. A pinned version is loaded on first use and kept. An alias is
 * resolved through the registry on first use, then follows alias changes: the new version is
 * loaded and warmed (one dummy prediction) while the old one keeps serving, then swapped in at
 * once; the old one is disposed when its last batch has finished and nothing else refers to it.
 */
export class ModelCatalog {
  readonly #versions = new Map<string, Promise<ServingModel>>();
  readonly #aliases = new Map<string, AliasSlot>();
  readonly #pinned = new Set<string>();

  constructor(private readonly options: CatalogOptions) {}

  /** The serving model for a target; waits at most the cold-load budget (and the deadline) for a first load. */
  async resolve(target: ModelTarget, deadlineMs = Number.POSITIVE_INFINITY): Promise<ServingModel> {
    if (isAliasTarget(target)) {
      const slot = this.#aliases.get(key(target.modelName, target.alias));
      if (slot?.current !== undefined) return slot.current;
      return this.#waitForLoad(this.#aliasFirstLoad(target.modelName, target.alias), target, deadlineMs);
    }
    const versionKey = key(target.modelName, target.version);
    this.#pinned.add(versionKey);
    return this.#waitForLoad(this.#version(target.modelName, target.version), target, deadlineMs);
  }

  /** Loads a target ahead of traffic (start-up preload); failures are logged and retried on first use. */
  async preload(target: ModelTarget): Promise<void> {
    try {
      await this.resolve(target, Number.POSITIVE_INFINITY);
      this.options.logger.info({ model: describeTarget(target) }, 'model preloaded');
    } catch (error) {
      this.options.logger.warn({ err: error, model: describeTarget(target) }, 'model preload failed; it loads on first use');
    }
  }

  /**
   * An alias moved (alias-changes topic). Only aliases this instance serves are followed; a deleted
   * alias stops being served (the next request asks the registry, which answers NOT_FOUND).
   */
  async aliasChanged(modelName: string, alias: string, version: number | null): Promise<void> {
    const aliasKey = key(modelName, alias);
    const slot = this.#aliases.get(aliasKey);
    if (slot === undefined) return;
    if (version === null) {
      this.#aliases.delete(aliasKey);
      if (slot.current !== undefined) this.#retire(slot.current);
      this.options.logger.info({ model: modelName, alias }, 'alias deleted; no longer served');
      return;
    }
    if (slot.wanted === version && slot.current?.model.version === version) return;
    slot.wanted = version;
    let next: ServingModel;
    try {
      next = await this.#version(modelName, version);
    } catch (error) {
      this.options.logger.error({ err: error, model: modelName, alias, version }, 'new alias target failed to load; the previous version keeps serving');
      return;
    }
    // A later change may have arrived while this one loaded: only the latest wins.
    if (slot.wanted !== version || this.#aliases.get(aliasKey) !== slot) return;
    const previous = slot.current;
    slot.current = next;
    this.options.onSwap?.(modelName, alias, previous?.model.version, version);
    this.options.logger.info({ model: modelName, alias, from: previous?.model.version ?? null, to: version }, 'alias swapped to the new version');
    if (previous !== undefined && previous !== next) this.#retire(previous);
  }

  /** The versions currently in memory (for logs, readiness and tests). */
  loadedVersions(): string[] {
    return [...this.#versions.keys()];
  }

  /** Which version an alias serves now, if loaded. */
  servedVersion(modelName: string, alias: string): number | undefined {
    return this.#aliases.get(key(modelName, alias))?.current?.model.version;
  }

  async close(): Promise<void> {
    const loaded = await Promise.allSettled([...this.#versions.values()]);
    for (const result of loaded) if (result.status === 'fulfilled') result.value.model.dispose();
    this.#versions.clear();
    this.#aliases.clear();
  }

  #aliasFirstLoad(modelName: string, alias: string): Promise<ServingModel> {
    const aliasKey = key(modelName, alias);
    let slot = this.#aliases.get(aliasKey);
    if (slot === undefined) {
      slot = { current: undefined, wanted: undefined, firstLoad: undefined };
      this.#aliases.set(aliasKey, slot);
    }
    if (slot.firstLoad === undefined) {
      const owner = slot;
      const first = (async () => {
        const described = await this.options.registry.getVersion(modelName, { alias });
        owner.wanted ??= described.version;
        const serving = await this.#version(modelName, owner.wanted);
        // An alias change may have installed a newer version meanwhile.
        owner.current ??= serving;
        return owner.current;
      })();
      slot.firstLoad = first;
      // A failed first load (registry down, unknown alias) is forgotten so the next request retries.
      first.catch(() => {
        if (this.#aliases.get(aliasKey) === owner && owner.current === undefined) this.#aliases.delete(aliasKey);
      });
    }
    return slot.firstLoad;
  }

  #version(modelName: string, version: number): Promise<ServingModel> {
    const versionKey = key(modelName, version);
    let loading = this.#versions.get(versionKey);
    if (loading === undefined) {
      loading = this.#load(modelName, version);
      this.#versions.set(versionKey, loading);
      loading.catch(() => {
        if (this.#versions.get(versionKey) === loading) this.#versions.delete(versionKey);
      });
    }
    return loading;
  }

  async #load(modelName: string, version: number): Promise<ServingModel> {
    const started = performance.now();
    const described = await this.options.registry.getVersion(modelName, { version });
    if (!described.ready) throw inferenceError('FAILED_PRECONDITION', 'version_archived', `${modelName} version ${version} is archived and cannot be served`);
    const model = await this.options.loader.load(described);
    const serving = this.#serving(model);
    // Warm-up: the first call compiles kernels and allocates; no request should pay for it.
    await serving.score(new Float32Array(model.spec.inputWidth), 1);
    this.options.logger.info({ model: modelName, version, artifact: model.artifact, inputWidth: model.spec.inputWidth, ms: Math.round(performance.now() - started) }, 'model version loaded and warmed');
    return serving;
  }

  #serving(model: LoadedModel): ServingModel {
    const { batching } = this.options;
    if (!batching.enabled) {
      let running = 0;
      const waiters: Array<() => void> = [];
      return {
        model,
        leases: 0,
        score: async (inputs, rows) => {
          running += 1;
          try {
            return await model.score(inputs, rows);
          } finally {
            running -= 1;
            if (running === 0) for (const wake of waiters.splice(0)) wake();
          }
        },
        idle: () => (running === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve))),
      };
    }
    const width = model.spec.inputWidth;
    const batcher = new MicroBatcher<{ inputs: Float32Array; rows: number }, Float32Array>(
      async (jobs) => {
        const rows = jobs.reduce((sum, job) => sum + job.rows, 0);
        const block = jobs.length === 1 ? (jobs[0]?.inputs as Float32Array) : new Float32Array(rows * width);
        if (jobs.length > 1) {
          let at = 0;
          for (const job of jobs) {
            block.set(job.inputs, at * width);
            at += job.rows;
          }
        }
        const scores = await model.score(block, rows);
        let at = 0;
        return jobs.map((job) => {
          const part = scores.subarray(at, at + job.rows);
          at += job.rows;
          return part;
        });
      },
      batching,
      this.options.observer?.(model.modelName),
      `model ${model.modelName} version ${model.version}`,
    );
    return { model, leases: 0, score: (inputs, rows) => batcher.submit({ inputs, rows }, rows), idle: () => batcher.idle() };
  }

  #retire(serving: ServingModel): void {
    const { modelName, version } = serving.model;
    const versionKey = key(modelName, version);
    const stillUsed = this.#pinned.has(versionKey) || [...this.#aliases.values()].some((slot) => slot.current === serving);
    if (stillUsed) return;
    this.#versions.delete(versionKey);
    const disposeWhenUnused = async (): Promise<void> => {
      await serving.idle();
      // A request that resolved this version before the swap may still be fetching its features.
      if (serving.leases > 0) return void setTimeout(() => void disposeWhenUnused(), 50);
      serving.model.dispose();
      this.options.logger.info({ model: modelName, version }, 'replaced version disposed');
    };
    void disposeWhenUnused();
  }

  async #waitForLoad(loading: Promise<ServingModel>, target: ModelTarget, deadlineMs: number): Promise<ServingModel> {
    const budget = Math.min(this.options.coldLoadWaitMs, deadlineMs - Date.now());
    let timer: NodeJS.Timeout | undefined;
    const tooLong = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(unavailable('model_loading', `${describeTarget(target)} is not loaded yet (loading started); retry shortly`)),
        Math.max(0, budget),
      );
    });
    try {
      return await Promise.race([loading, tooLong]);
    } finally {
      clearTimeout(timer);
    }
  }
}
