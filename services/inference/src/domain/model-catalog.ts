import type { StructuredLogger } from '@kuroshio/telemetry';
import { inferenceError, unavailable } from './inference-errors.js';
import { MicroBatcher, type MicroBatchLimits, type MicroBatchObserver } from './micro-batcher.js';
import { describeTarget, isAliasTarget, type ModelTarget } from './model-selector.js';
import type { LoadedModel, ModelLoader, ModelRegistryPort } from './serving-model.js';

/**
 * How long a version that only pinned requests use (a version target, or experiment routing, which
 * always pins) stays loaded after the last of them: long enough that a running experiment never
 * reloads a version, short enough that the versions a retrain-and-promote cycle leaves behind go
 * within minutes. `CatalogOptions.pinnedIdleMs` overrides it.
 */
export const PINNED_VERSION_IDLE_MS = 10 * 60_000;

/** A loaded version with the micro-batcher in front of it. */
export interface ServingModel {
  readonly model: LoadedModel;
  /** Scores a block of rows through the batcher (one model call per request when batching is off). */
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
  /** Default PINNED_VERSION_IDLE_MS. */
  readonly pinnedIdleMs?: number;
}

interface AliasSlot {
  readonly modelName: string;
  /** What serves now; undefined until the first version loaded. */
  current: ServingModel | undefined;
  /** The version the alias should serve (latest known); loads for older targets are discarded. */
  wanted: number | undefined;
  /** Resolves when the first version is in place. */
  firstLoad: Promise<ServingModel> | undefined;
}

/** A version in memory or loading, and the pin that may keep it there besides the aliases. */
interface VersionEntry {
  readonly modelName: string;
  readonly version: number;
  readonly loading: Promise<ServingModel>;
  /** Set once loaded and warmed. */
  serving: ServingModel | undefined;
  /** When a request last resolved this version by number. */
  pinnedAt: number | undefined;
  pinExpiry: NodeJS.Timeout | undefined;
}

const key = (modelName: string, part: string | number) => `${modelName}@${part}`;

/**
 * The versions inference serves. An alias is resolved through the registry on first use, then
 * follows alias changes: the new version is loaded and warmed (one dummy prediction) while the old
 * one keeps serving, then swapped in at once. A version stays loaded while an alias serves it or is
 * loading it, or a pinned request used it within the pin idle time; after that it is disposed once
 * its last batch has finished and no request holds it.
 */
export class ModelCatalog {
  readonly #versions = new Map<string, VersionEntry>();
  readonly #aliases = new Map<string, AliasSlot>();
  /** Versions named in the preload list: kept for the life of the process. */
  readonly #preloaded = new Set<string>();
  readonly #pinnedIdleMs: number;

  constructor(private readonly options: CatalogOptions) {
    this.#pinnedIdleMs = options.pinnedIdleMs ?? PINNED_VERSION_IDLE_MS;
  }

  /** The serving model for a target; waits at most the cold-load budget (and the deadline) for a first load. */
  async resolve(target: ModelTarget, deadlineMs = Number.POSITIVE_INFINITY): Promise<ServingModel> {
    if (isAliasTarget(target)) {
      const slot = this.#aliases.get(key(target.modelName, target.alias));
      if (slot?.current !== undefined) return slot.current;
      return this.#waitForLoad(this.#aliasFirstLoad(target.modelName, target.alias), target, deadlineMs);
    }
    const entry = this.#entry(target.modelName, target.version);
    this.#pin(entry);
    return this.#waitForLoad(entry.loading, target, deadlineMs);
  }

  /** Loads a target ahead of traffic (start-up preload); failures are logged and retried on first use. */
  async preload(target: ModelTarget): Promise<void> {
    if (!isAliasTarget(target)) this.#preloaded.add(key(target.modelName, target.version));
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
      if (slot.current !== undefined) this.#retireServing(slot.current);
      this.options.logger.info({ model: modelName, alias }, 'alias deleted; no longer served');
      return;
    }
    if (slot.wanted === version && slot.current?.model.version === version) return;
    slot.wanted = version;
    const entry = this.#entry(modelName, version);
    let next: ServingModel;
    try {
      next = await entry.loading;
    } catch (error) {
      if (slot.wanted === version) slot.wanted = slot.current?.model.version;
      this.options.logger.error({ err: error, model: modelName, alias, version }, 'new alias target failed to load; the previous version keeps serving');
      return;
    }
    // A later change (or a deletion) may have arrived while this one loaded: only the latest wins.
    if (slot.wanted !== version || this.#aliases.get(aliasKey) !== slot) return this.#retire(entry);
    const previous = slot.current;
    if (previous === next) return;
    slot.current = next;
    this.options.onSwap?.(modelName, alias, previous?.model.version, version);
    this.options.logger.info({ model: modelName, alias, from: previous?.model.version ?? null, to: version }, 'alias swapped to the new version');
    if (previous !== undefined) this.#retireServing(previous);
  }

  /** The versions currently in memory or loading (for logs, readiness and tests). */
  loadedVersions(): string[] {
    return [...this.#versions.keys()];
  }

  /** Which version an alias serves now, if loaded. */
  servedVersion(modelName: string, alias: string): number | undefined {
    return this.#aliases.get(key(modelName, alias))?.current?.model.version;
  }

  async close(): Promise<void> {
    const entries = [...this.#versions.values()];
    for (const entry of entries) clearTimeout(entry.pinExpiry);
    const loaded = await Promise.allSettled(entries.map((entry) => entry.loading));
    for (const result of loaded) if (result.status === 'fulfilled') result.value.model.dispose();
    this.#versions.clear();
    this.#aliases.clear();
  }

  #aliasFirstLoad(modelName: string, alias: string): Promise<ServingModel> {
    const aliasKey = key(modelName, alias);
    let slot = this.#aliases.get(aliasKey);
    if (slot === undefined) {
      slot = { modelName, current: undefined, wanted: undefined, firstLoad: undefined };
      this.#aliases.set(aliasKey, slot);
    }
    if (slot.firstLoad === undefined) {
      const owner = slot;
      const first = (async () => {
        const described = await this.options.registry.getVersion(modelName, { alias });
        owner.wanted ??= described.version;
        const entry = this.#entry(modelName, owner.wanted);
        const serving = await entry.loading;
        // An alias change may have installed a newer version meanwhile (this one goes), or the alias
        // was deleted (the requests waiting still get this version, which goes once they are done).
        owner.current ??= serving;
        if (owner.current !== serving || this.#aliases.get(aliasKey) !== owner) this.#retire(entry);
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

  #entry(modelName: string, version: number): VersionEntry {
    const versionKey = key(modelName, version);
    const existing = this.#versions.get(versionKey);
    if (existing !== undefined) return existing;
    const entry: VersionEntry = { modelName, version, loading: this.#load(modelName, version), serving: undefined, pinnedAt: undefined, pinExpiry: undefined };
    this.#versions.set(versionKey, entry);
    // Registered before any caller awaits the load, so `serving` is set when they resume.
    entry.loading.then(
      (serving) => void (entry.serving = serving),
      () => {
        clearTimeout(entry.pinExpiry);
        if (this.#versions.get(versionKey) === entry) this.#versions.delete(versionKey);
      },
    );
    return entry;
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
    const { enabled, ...batching } = this.options.batching;
    // Without batching every request is its own model call, under the same concurrency cap and
    // queue limit (load shedding) as batches.
    const limits: MicroBatchLimits = enabled ? batching : { ...batching, maxBatchSize: 1, maxQueueDelayMs: 0 };
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
      limits,
      this.options.observer?.(model.modelName),
      `model ${model.modelName} version ${model.version}`,
    );
    return { model, leases: 0, score: (inputs, rows) => batcher.submit({ inputs, rows }, rows), idle: () => batcher.idle() };
  }

  #pin(entry: VersionEntry): void {
    entry.pinnedAt = performance.now();
    if (entry.pinExpiry === undefined) this.#expirePinAfter(entry, this.#pinnedIdleMs);
  }

  #expirePinAfter(entry: VersionEntry, delayMs: number): void {
    entry.pinExpiry = setTimeout(() => {
      entry.pinExpiry = undefined;
      if (this.#versions.get(key(entry.modelName, entry.version)) !== entry || entry.pinnedAt === undefined) return;
      if (entry.serving === undefined) return this.#expirePinAfter(entry, this.#pinnedIdleMs);
      const idleMs = performance.now() - entry.pinnedAt;
      if (idleMs < this.#pinnedIdleMs) return this.#expirePinAfter(entry, this.#pinnedIdleMs - idleMs);
      entry.pinnedAt = undefined;
      this.#retire(entry);
    }, delayMs);
    entry.pinExpiry.unref();
  }

  /** In use: an alias serves it or is loading it, a pinned request used it within the idle time, or it is preloaded. */
  #inUse(entry: VersionEntry): boolean {
    if (this.#preloaded.has(key(entry.modelName, entry.version))) return true;
    if (entry.pinnedAt !== undefined && performance.now() - entry.pinnedAt < this.#pinnedIdleMs) return true;
    for (const slot of this.#aliases.values()) {
      if (slot.modelName === entry.modelName && (slot.wanted === entry.version || slot.current?.model.version === entry.version)) return true;
    }
    return false;
  }

  #retireServing(serving: ServingModel): void {
    const entry = this.#versions.get(key(serving.model.modelName, serving.model.version));
    // Not the catalog's entry any more: already retired, and its disposal is under way.
    if (entry?.serving === serving) this.#retire(entry);
  }

  /** Forgets a version nothing refers to any more and disposes it once no request holds it. */
  #retire(entry: VersionEntry): void {
    const versionKey = key(entry.modelName, entry.version);
    if (this.#versions.get(versionKey) !== entry || this.#inUse(entry)) return;
    this.#versions.delete(versionKey);
    clearTimeout(entry.pinExpiry);
    void entry.loading.then((serving) => this.#disposeWhenUnused(serving), () => undefined);
  }

  async #disposeWhenUnused(serving: ServingModel): Promise<void> {
    // A request that resolved this version just now takes its lease in a continuation: let it run.
    await new Promise((resolve) => setImmediate(resolve));
    for (;;) {
      await serving.idle();
      // A request that resolved this version before the swap may still be fetching its features.
      if (serving.leases === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    serving.model.dispose();
    this.options.logger.info({ model: serving.model.modelName, version: serving.model.version }, 'unused version disposed');
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
