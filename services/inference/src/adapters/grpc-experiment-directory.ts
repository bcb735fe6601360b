import { credentials, status } from '@grpc/grpc-js';
import { grpcJs } from '@kuroshio/contracts';
import { tracedClientOptions } from '@kuroshio/telemetry';
import { LRUCache } from 'lru-cache';
import type { ExperimentDirectory, ExperimentRouting } from '../domain/experiment-routing.js';
import { unavailable } from '../domain/inference-errors.js';
import { isServiceError, unary } from './grpc-unary.js';

const v1 = grpcJs.experiment.v1;

/** A definition, or the service's answer that there is none (the cache holds no bare `undefined`). */
interface Known {
  readonly value: ExperimentRouting | undefined;
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
 * so a short TTL only delays noticing a start or stop. Concurrent requests for a key share one call.
 * When the service cannot be reached, the last definition seen keeps routing for another TTL;
 * without one the request fails UNAVAILABLE.
 */
export class GrpcExperimentDirectory implements ExperimentDirectory {
  readonly #client: grpcJs.experiment.v1.ExperimentServiceClient;
  readonly #definitions: LRUCache<string, Known>;

  constructor(
    address: string,
    private readonly options: { readonly cacheTtlMs: number; readonly timeoutMs: number; readonly maxEntries?: number },
  ) {
    this.#client = new v1.ExperimentServiceClient(address, credentials.createInsecure(), tracedClientOptions());
    this.#definitions = new LRUCache<string, Known>({
      max: options.maxEntries ?? 10_000,
      ttl: options.cacheTtlMs,
      fetchMethod: (key, stale) => this.#fetch(key, stale),
    });
  }

  async get(key: string): Promise<ExperimentRouting | undefined> {
    return (await this.#definitions.fetch(key))?.value;
  }

  async #fetch(key: string, stale: Known | undefined): Promise<Known> {
    try {
      const reply = await unary<grpcJs.experiment.v1.GetExperimentResponse>(
        (metadata, options, callback) => this.#client.getExperiment({ key }, metadata, options, callback),
        Date.now() + this.options.timeoutMs,
      );
      return { value: reply.experiment === undefined ? undefined : experimentRouting(reply.experiment) };
    } catch (error) {
      if (isServiceError(error) && error.code === status.NOT_FOUND) return { value: undefined };
      // Trusted for another TTL, so an outage costs one call per key per TTL, not one per request.
      if (stale !== undefined) return stale;
      throw unavailable('experiment_service_unavailable', `experiment ${key} could not be read from the experiment service; retry`, error);
    }
  }

  close(): void {
    this.#client.close();
  }
}
