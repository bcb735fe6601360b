import { CHALLENGER_ALIAS, CHAMPION_ALIAS, retrainingExperimentKey } from '@kuroshio/contracts';
import { DomainError } from '@kuroshio/service-kit';
import { LRUCache } from 'lru-cache';
import { isAliasTarget, type ModelTarget } from './model-selector.js';
import type { ModelRegistryPort } from './serving-model.js';

/** A model's challenger version, or its absence (the cache holds no bare `undefined`). */
interface Challenger {
  readonly version: number | undefined;
}

const NO_CHALLENGER: Challenger = { version: undefined };

export interface ChallengerRoutingOptions {
  /** How long a model's challenger alias (or its absence) is trusted before asking the registry again. */
  readonly cacheTtlMs: number;
  /** Models whose answer is kept; the least recently used is dropped first. */
  readonly maxModels?: number;
  readonly now?: () => number;
  /** A registry failure: the champion keeps serving alone meanwhile. */
  readonly onLookupFailed?: (modelName: string, error: unknown) => void;
}

/**
 * Continuous retraining (docs/decisions/0021) puts a challenger out as the model's `challenger`
 * alias and decides it by the experiment `retrainingExperimentKey(model, version)`. A request for a
 * model's `champion` alias that names no experiment is routed by that experiment, so the challenger
 * gets its share of the real traffic without every app learning the key; requests that pin a
 * version or another alias, or name an experiment, are left alone. Which version is challenger is
 * asked of the registry at most once per model per TTL (its absence too), concurrent requests
 * sharing one call; when the registry cannot answer, the last answer stands for another TTL, and
 * without one the champion serves alone.
 */
export class ChallengerRouting {
  readonly #challengers: LRUCache<string, Challenger>;

  constructor(
    private readonly registry: ModelRegistryPort,
    private readonly options: ChallengerRoutingOptions,
  ) {
    this.#challengers = new LRUCache<string, Challenger>({
      max: options.maxModels ?? 10_000,
      ttl: options.cacheTtlMs,
      ...(options.now === undefined ? {} : { perf: { now: options.now }, ttlResolution: 0 }),
      fetchMethod: (modelName, stale) => this.#lookUp(modelName, stale),
    });
  }

  /** The retraining experiment (running or not) of the challenger of `target`, a champion alias. */
  async experimentKey(target: ModelTarget): Promise<string | undefined> {
    if (!isAliasTarget(target) || target.alias !== CHAMPION_ALIAS) return undefined;
    const { version } = (await this.#challengers.fetch(target.modelName)) ?? NO_CHALLENGER;
    return version === undefined ? undefined : retrainingExperimentKey(target.modelName, version);
  }

  async #lookUp(modelName: string, stale: Challenger | undefined): Promise<Challenger> {
    try {
      return { version: (await this.registry.getVersion(modelName, { alias: CHALLENGER_ALIAS })).version };
    } catch (error) {
      if (error instanceof DomainError && error.code === 'NOT_FOUND') return NO_CHALLENGER;
      this.options.onLookupFailed?.(modelName, error);
      // Trusted for another TTL so a registry outage costs one call per model per TTL, not one per request.
      return stale ?? NO_CHALLENGER;
    }
  }
}
