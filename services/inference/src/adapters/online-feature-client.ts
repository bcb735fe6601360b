import { credentials, status } from '@grpc/grpc-js';
import { grpcJs } from '@kuroshio/contracts';
import type { FeatureSpecColumn } from '@kuroshio/model-runtime';
import { LRUCache } from 'lru-cache';
import { scalarValue, type FeatureValue } from '../domain/feature-inputs.js';
import { inferenceError, unavailable } from '../domain/inference-errors.js';
import type { OnlineFeatureSource } from '../domain/predictor.js';
import { isServiceError, unary } from './grpc-unary.js';

const v1 = grpcJs.features.v1;
/** Entities per GetOnlineFeatures call (the store's default limit is 1,000). */
const CHUNK = 500;

export interface OnlineFeatureClientOptions {
  readonly address: string;
  readonly cacheTtlMs: number;
  readonly cacheMaxEntries: number;
  readonly timeoutMs: number;
  readonly onLookup?: (outcome: 'hit' | 'miss', count: number) => void;
}

type Row = FeatureValue[];

/**
 * `FeatureService.GetOnlineFeatures` behind a small LRU cache (a short TTL: online values move
 * with every event) and a per-call timeout within the request's deadline. Concurrent misses for the
 * same entity and feature set share one call. Values that are not PRESENT come back as null (the
 * model imputes them and the response lists them in missing_features).
 */
export class OnlineFeatureClient implements OnlineFeatureSource {
  readonly #client: grpcJs.features.v1.FeatureServiceClient;
  readonly #cache: LRUCache<string, Row> | undefined;
  readonly #inFlight = new Map<string, Promise<Row>>();

  constructor(private readonly options: OnlineFeatureClientOptions) {
    this.#client = new v1.FeatureServiceClient(options.address, credentials.createInsecure());
    this.#cache = options.cacheTtlMs > 0 ? new LRUCache<string, Row>({ max: options.cacheMaxEntries, ttl: options.cacheTtlMs, ttlAutopurge: false }) : undefined;
  }

  async read(entityIds: readonly string[], columns: readonly FeatureSpecColumn[], deadlineMs: number): Promise<FeatureValue[][]> {
    const signature = columns.map((c) => `${c.featureView}:${c.feature}@${c.version}`).join(',');
    const rows = new Array<Row | Promise<Row>>(entityIds.length);
    const missing: Array<{ at: number; entityId: string; key: string }> = [];
    let hits = 0;
    entityIds.forEach((entityId, at) => {
      const key = `${signature}\u0000${entityId}`;
      const cached = this.#cache?.get(key) ?? this.#inFlight.get(key);
      if (cached !== undefined) {
        rows[at] = cached;
        hits += 1;
      } else missing.push({ at, entityId, key });
    });
    this.options.onLookup?.('hit', hits);
    if (missing.length > 0) {
      this.options.onLookup?.('miss', missing.length);
      const unique = [...new Map(missing.map((m) => [m.key, m])).values()];
      for (let from = 0; from < unique.length; from += CHUNK) {
        const chunk = unique.slice(from, from + CHUNK);
        const fetched = this.#fetch(chunk.map((m) => m.entityId), columns, deadlineMs);
        chunk.forEach((m, k) => {
          const row = fetched.then((all) => all[k] as Row);
          this.#inFlight.set(m.key, row);
          void row.then(
            (value) => {
              this.#cache?.set(m.key, value);
              this.#inFlight.delete(m.key);
            },
            () => this.#inFlight.delete(m.key),
          );
        });
      }
      for (const m of missing) rows[m.at] = this.#inFlight.get(m.key) ?? (this.#cache?.get(m.key) as Row);
    }
    return Promise.all(rows);
  }

  async #fetch(entityIds: string[], columns: readonly FeatureSpecColumn[], deadlineMs: number): Promise<Row[]> {
    const request = v1.GetOnlineFeaturesRequest.fromPartial({
      features: columns.map((c) => ({ featureView: c.featureView, feature: c.feature, version: c.version })),
      entityIds,
    });
    let reply: grpcJs.features.v1.GetOnlineFeaturesResponse;
    try {
      reply = await unary<grpcJs.features.v1.GetOnlineFeaturesResponse>(
        (metadata, options, callback) => this.#client.getOnlineFeatures(request, metadata, options, callback),
        Math.min(deadlineMs, Date.now() + this.options.timeoutMs),
      );
    } catch (error) {
      if (isServiceError(error) && error.code === status.INVALID_ARGUMENT) {
        // The store does not serve a feature the model was trained on: the deployment is inconsistent.
        throw inferenceError('FAILED_PRECONDITION', 'features_not_served', `the feature store refuses the model's features: ${error.details}`);
      }
      throw unavailable('feature_store_unavailable', `online features could not be read (${isServiceError(error) ? error.details : String(error)}); retry`, error);
    }
    return reply.rows.map((row) => row.values.map((value) => (value.status === v1.FeatureValueStatus.FEATURE_VALUE_STATUS_PRESENT ? scalarValue(value.value) : null)));
  }

  close(): void {
    this.#client.close();
  }
}
