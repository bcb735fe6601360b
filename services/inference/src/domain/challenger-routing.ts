import { CHALLENGER_ALIAS, CHAMPION_ALIAS, retrainingExperimentKey } from '@kuroshio/contracts';
import { DomainError } from '@kuroshio/service-kit';
import { isAliasTarget, type ModelTarget } from './model-selector.js';
import type { ModelRegistryPort } from './serving-model.js';

interface Known {
  readonly version: number | undefined;
  readonly fetchedAt: number;
}

export interface ChallengerRoutingOptions {
  /** How long a model's challenger alias (or its absence) is trusted before asking the registry again. */
  readonly cacheTtlMs: number;
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
 * asked of the registry at most once per model per TTL (its absence too); when the registry cannot
 * answer, the last answer stands, and without one the champion serves alone.
 */
export class ChallengerRouting {
  readonly #known = new Map<string, Known>();
  readonly #inFlight = new Map<string, Promise<number | undefined>>();
  readonly #now: () => number;

  constructor(
    private readonly registry: ModelRegistryPort,
    private readonly options: ChallengerRoutingOptions,
  ) {
    this.#now = options.now ?? Date.now;
  }

  /** The retraining experiment (running or not) of the challenger of `target`, a champion alias. */
  async experimentKey(target: ModelTarget): Promise<string | undefined> {
    if (!isAliasTarget(target) || target.alias !== CHAMPION_ALIAS) return undefined;
    const version = await this.#challengerVersion(target.modelName);
    return version === undefined ? undefined : retrainingExperimentKey(target.modelName, version);
  }

  async #challengerVersion(modelName: string): Promise<number | undefined> {
    const known = this.#known.get(modelName);
    if (known !== undefined && this.#now() - known.fetchedAt < this.options.cacheTtlMs) return known.version;
    let pending = this.#inFlight.get(modelName);
    if (pending === undefined) {
      pending = this.#fetch(modelName, known).finally(() => this.#inFlight.delete(modelName));
      this.#inFlight.set(modelName, pending);
    }
    return pending;
  }

  async #fetch(modelName: string, stale: Known | undefined): Promise<number | undefined> {
    let version: number | undefined;
    try {
      version = (await this.registry.getVersion(modelName, { alias: CHALLENGER_ALIAS })).version;
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'NOT_FOUND')) {
        this.options.onLookupFailed?.(modelName, error);
        // Trusted for another TTL so a registry outage costs one call per model per TTL, not one per request.
        version = stale?.version;
      }
    }
    this.#known.set(modelName, { version, fetchedAt: this.#now() });
    return version;
  }
}
