import { credentials, status } from '@grpc/grpc-js';
import { context as otelContext, type Context } from '@opentelemetry/api';
import { grpcJs } from '@kuroshio/contracts';
import type { FeatureSpecColumn } from '@kuroshio/model-runtime';
import { tracedClientOptions } from '@kuroshio/telemetry';
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
  /** GetOnlineFeatures calls in flight per feature set; lookups arriving meanwhile wait and share the next call (default 2). */
  readonly maxCallsInFlight?: number;
  readonly onLookup?: (outcome: 'hit' | 'miss', count: number) => void;
  /** Entities per call actually sent (metrics). */
  readonly onCall?: (entities: number) => void;
}

type Row = FeatureValue[];

/** A feature set's cache and lane key, per columns array (the predictor passes one array per loaded spec). */
const signatures = new WeakMap<readonly FeatureSpecColumn[], string>();

interface Pending {
  readonly entityId: string;
  readonly key: string;
  readonly deadlineMs: number;
  /** The asking request's trace context: a shared call is traced under the first request in it. */
  readonly traceContext: Context;
  readonly resolve: (row: Row) => void;
  readonly reject: (error: unknown) => void;
}

/** Lookups of one feature set: those waiting for a call, and how many calls are out. */
interface Lane {
  readonly columns: readonly FeatureSpecColumn[];
  readonly waiting: Pending[];
  calls: number;
  /** A send is scheduled for the end of this event-loop turn. */
  gathering: boolean;
}

/**
 * `FeatureService.GetOnlineFeatures` behind a small LRU cache (a short TTL: online values move
 * with every event) and a per-call timeout within the request's deadline. Lookups coalesce: at most
 * `maxCallsInFlight` calls per feature set are out at once, the lookups of one event-loop turn go
 * together, and the entities asked for while the calls are out go together in the next call (up to
 * 500), so under load one call answers many Predict requests while a lone request still goes out
 * at once (at the end of its turn). Concurrent misses for the same entity share one
 * lookup. Values that are not PRESENT come back as null (the model imputes them and the response
 * lists them in missing_features).
 */
export class OnlineFeatureClient implements OnlineFeatureSource {
  readonly #client: grpcJs.features.v1.FeatureServiceClient;
  readonly #cache: LRUCache<string, Row> | undefined;
  readonly #inFlight = new Map<string, Promise<Row>>();
  readonly #lanes = new Map<string, Lane>();
  readonly #maxCalls: number;

  constructor(private readonly options: OnlineFeatureClientOptions) {
    this.#client = new v1.FeatureServiceClient(options.address, credentials.createInsecure(), tracedClientOptions());
    this.#cache = options.cacheTtlMs > 0 ? new LRUCache<string, Row>({ max: options.cacheMaxEntries, ttl: options.cacheTtlMs, ttlAutopurge: false }) : undefined;
    this.#maxCalls = Math.max(1, options.maxCallsInFlight ?? 2);
  }

  async read(entityIds: readonly string[], columns: readonly FeatureSpecColumn[], deadlineMs: number): Promise<FeatureValue[][]> {
    let signature = signatures.get(columns);
    if (signature === undefined) signatures.set(columns, (signature = columns.map((c) => `${c.featureView}:${c.feature}@${c.version}`).join(',')));
    const rows = new Array<Row | Promise<Row>>(entityIds.length);
    let hits = 0;
    let misses = 0;
    let lane: Lane | undefined;
    const traceContext = otelContext.active();
    entityIds.forEach((entityId, at) => {
      const key = `${signature}\u0000${entityId}`;
      const known = this.#cache?.get(key) ?? this.#inFlight.get(key);
      if (known !== undefined) {
        rows[at] = known;
        hits += 1;
        return;
      }
      misses += 1;
      lane ??= this.#lane(signature, columns);
      const waiting = lane.waiting;
      const row = new Promise<Row>((resolve, reject) => waiting.push({ entityId, key, deadlineMs, traceContext, resolve, reject }));
      this.#inFlight.set(key, row);
      row.then(
        (value) => {
          this.#cache?.set(key, value);
          this.#inFlight.delete(key);
        },
        () => this.#inFlight.delete(key),
      );
      rows[at] = row;
    });
    this.options.onLookup?.('hit', hits);
    if (misses > 0) this.options.onLookup?.('miss', misses);
    if (lane !== undefined) this.#gather(lane);
    return Promise.all(rows);
  }

  #lane(signature: string, columns: readonly FeatureSpecColumn[]): Lane {
    let lane = this.#lanes.get(signature);
    if (lane === undefined) {
      lane = { columns, waiting: [], calls: 0, gathering: false };
      this.#lanes.set(signature, lane);
    }
    return lane;
  }

  /**
   * Sends at the end of this event-loop turn (`setImmediate`: after the I/O callbacks that are
   * ready), so the lookups of the requests read from the sockets together go out in one call; a
   * lone request waits only for the rest of the current turn.
   */
  #gather(lane: Lane): void {
    if (lane.gathering) return;
    lane.gathering = true;
    setImmediate(() => {
      lane.gathering = false;
      this.#pump(lane);
    });
  }

  /** Sends what waits, CHUNK entities per call, while the lane has calls to spare. */
  #pump(lane: Lane): void {
    while (lane.calls < this.#maxCalls && lane.waiting.length > 0) {
      const batch = lane.waiting.splice(0, CHUNK);
      lane.calls += 1;
      this.options.onCall?.(batch.length);
      // The call may take as long as its most patient member allows (each request checks its own deadline).
      const deadlineMs = batch.reduce((latest, pending) => Math.max(latest, pending.deadlineMs), 0);
      // A call started when an earlier one finishes would otherwise carry that earlier request's trace.
      otelContext.with((batch[0] as Pending).traceContext, () => this.#fetch(batch.map((pending) => pending.entityId), lane.columns, deadlineMs)).then(
        (all) => batch.forEach((pending, k) => pending.resolve(all[k] ?? [])),
        (error: unknown) => batch.forEach((pending) => pending.reject(error)),
      ).finally(() => {
        lane.calls -= 1;
        this.#pump(lane);
      });
    }
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
