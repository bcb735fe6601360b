import { credentials, status } from '@grpc/grpc-js';
import { grpcJs } from '@kuroshio/contracts';
import { tracedClientOptions } from '@kuroshio/telemetry';
import type { ExperimentDirectory, ExperimentRouting } from '../domain/experiment-routing.js';
import { unavailable } from '../domain/inference-errors.js';
import { isServiceError, unary } from './grpc-unary.js';

const v1 = grpcJs.experiment.v1;

interface Cached {
  readonly value: ExperimentRouting | undefined;
  readonly fetchedAt: number;
}

const STATE: Partial<Record<grpcJs.experiment.v1.ExperimentState, ExperimentRouting['state']>> = {
  [v1.ExperimentState.EXPERIMENT_STATE_DRAFT]: 'draft',
  [v1.ExperimentState.EXPERIMENT_STATE_RUNNING]: 'running',
  [v1.ExperimentState.EXPERIMENT_STATE_STOPPED]: 'stopped',
};

/** The routing-relevant part of an Experiment message. */
export function experimentRouting(experiment: grpcJs.experiment.v1.Experiment): ExperimentRouting {
  return {
    key: experiment.key,
    salt: experiment.salt,
    revision: Math.max(1, experiment.revision),
    state: STATE[experiment.state] ?? 'draft',
    variants: experiment.variants.map((variant) => ({
      name: variant.key,
      weight: variant.weight,
      model: variant.model !== undefined && variant.model.modelName !== '' && variant.model.version > 0 ? { modelName: variant.model.modelName, version: variant.model.version } : null,
    })),
    trafficFraction: experiment.targeting?.trafficFraction ?? 1,
    targetsByTraits: (experiment.targeting?.traitFilters.length ?? 0) > 0,
  };
}

/**
 * `ExperimentService.GetExperiment` with a cache: a definition is fixed while the experiment runs,
 * so a short TTL only delays noticing a start or stop. When the service cannot be reached, the last
 * definition seen keeps routing; without one the request fails UNAVAILABLE.
 */
export class GrpcExperimentDirectory implements ExperimentDirectory {
  readonly #client: grpcJs.experiment.v1.ExperimentServiceClient;
  readonly #cache = new Map<string, Cached>();
  readonly #inFlight = new Map<string, Promise<ExperimentRouting | undefined>>();

  constructor(
    address: string,
    private readonly options: { readonly cacheTtlMs: number; readonly timeoutMs: number; readonly maxEntries?: number },
  ) {
    this.#client = new v1.ExperimentServiceClient(address, credentials.createInsecure(), tracedClientOptions());
  }

  async get(key: string): Promise<ExperimentRouting | undefined> {
    const cached = this.#cache.get(key);
    if (cached !== undefined && Date.now() - cached.fetchedAt < this.options.cacheTtlMs) return cached.value;
    let pending = this.#inFlight.get(key);
    if (pending === undefined) {
      pending = this.#fetch(key, cached).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, pending);
    }
    return pending;
  }

  async #fetch(key: string, stale: Cached | undefined): Promise<ExperimentRouting | undefined> {
    try {
      const reply = await unary<grpcJs.experiment.v1.GetExperimentResponse>(
        (metadata, options, callback) => this.#client.getExperiment({ key }, metadata, options, callback),
        Date.now() + this.options.timeoutMs,
      );
      return this.#remember(key, reply.experiment === undefined ? undefined : experimentRouting(reply.experiment));
    } catch (error) {
      if (isServiceError(error) && error.code === status.NOT_FOUND) return this.#remember(key, undefined);
      if (stale !== undefined) return stale.value;
      throw unavailable('experiment_service_unavailable', `experiment ${key} could not be read from the experiment service; retry`, error);
    }
  }

  #remember(key: string, value: ExperimentRouting | undefined): ExperimentRouting | undefined {
    if (this.#cache.size >= (this.options.maxEntries ?? 10_000)) this.#cache.delete(this.#cache.keys().next().value as string);
    this.#cache.set(key, { value, fetchedAt: Date.now() });
    return value;
  }

  close(): void {
    this.#client.close();
  }
}
