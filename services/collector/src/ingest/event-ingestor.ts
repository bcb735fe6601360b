import { context as otelContext, trace } from '@opentelemetry/api';
import { injectTraceHeaders, SpanKind, withSpan, type Context } from '@kuroshio/telemetry';
import type { Source } from '../sources/source-definition.js';
import { prepareEvents, type EventRejection, type IngestContext, type PreparedRecord } from './event-preparation.js';
import type { EventSink } from './event-sink.js';
import type { InFlightBudget } from './in-flight-budget.js';
import { kafkaUnavailable, overloaded, rateLimited, tooManyEvents } from './ingest-errors.js';
import { NO_METRICS, type IngestMetrics, type RequestRefusal } from './ingest-metrics.js';
import type { SourceRateLimits } from './source-rate-limits.js';

export interface IngestLimits {
  readonly maxBatchEvents: number;
  readonly maxEventBytes: number;
  readonly retryAfterSeconds: number;
}

export interface IngestRequest {
  readonly source: Source;
  readonly events: readonly unknown[];
  readonly transport: IngestContext['transport'];
  readonly requestId: string;
  readonly receivedAt: Date;
  readonly indexOffset?: number;
  /** The caller's trace (an HTTP request's `traceparent`); else the active context (gRPC: the server span). */
  readonly parentContext?: Context;
}

export interface IngestOutcome {
  /** Events Kafka acknowledged. */
  readonly accepted: number;
  readonly rejections: readonly EventRejection[];
}

/** A request's records, admitted into the in-flight budget and about to wait for Kafka. */
interface Admitted {
  readonly records: readonly PreparedRecord[];
  readonly rejections: readonly EventRejection[];
  readonly release: () => void;
}

export interface EventIngestorDeps {
  readonly sink: EventSink;
  readonly rateLimits: SourceRateLimits;
  readonly budget: InFlightBudget;
  readonly limits: IngestLimits;
  readonly collector: string;
  readonly metrics?: IngestMetrics;
}

/**
 * The one ingest path of every transport (Segment HTTP, LINE webhook, gRPC): size and rate limits
 * for the request, per-event validation, then a bounded wait for Kafka's acknowledgement. It
 * returns only once every accepted event is durable, and throws a coded DomainError otherwise.
 */
export class EventIngestor {
  readonly #metrics: IngestMetrics;

  constructor(private readonly deps: EventIngestorDeps) {
    this.#metrics = deps.metrics ?? NO_METRICS;
  }

  /**
   * Everything before the Kafka wait runs synchronously (a gRPC stream relies on it for the order of
   * its chunks); errors still arrive as a rejected promise. The wait itself holds only the prepared
   * records, never the request's parsed events, so those die young instead of being promoted to the
   * old generation while Kafka acknowledges.
   */
  ingest(request: IngestRequest): Promise<IngestOutcome> {
    // One span per request; its context travels to the ETL in every record's traceparent header.
    const attributes = { 'kuroshio.tenant': request.source.tenant, 'kuroshio.source': request.source.id, 'kuroshio.transport': request.transport, 'kuroshio.events': request.events.length };
    return withSpan(
      `ingest ${request.transport}`,
      attributes,
      (span) => {
        const headers = injectTraceHeaders({}, trace.setSpan(otelContext.active(), span)) as Record<string, string>;
        const admitted = this.#admit(request, headers);
        if (!('release' in admitted)) return admitted;
        return this.#deliver(request.source, admitted).then((outcome) => {
          span.setAttribute('kuroshio.accepted', outcome.accepted);
          return outcome;
        });
      },
      request.parentContext ?? otelContext.active(),
      // gRPC calls already have the service kit's server span (this one is its child); an HTTP request has only this one.
      request.transport === 'grpc' ? SpanKind.INTERNAL : SpanKind.SERVER,
    );
  }

  #admit(request: IngestRequest, headers: Readonly<Record<string, string>>): Admitted | IngestOutcome {
    const { source, events } = request;
    const { limits } = this.deps;
    if (events.length > limits.maxBatchEvents) throw this.#refuse(source, 'too_many_events', events.length, tooManyEvents(events.length, limits.maxBatchEvents));
    if (events.length === 0) return { accepted: 0, rejections: [] };

    const taken = this.deps.rateLimits.take(source, events.length);
    if (!taken.ok) throw this.#refuse(source, 'rate_limited', events.length, rateLimited(source.id, taken.retryAfterMs));

    const prepared = prepareEvents(events, {
      source,
      transport: request.transport,
      requestId: request.requestId,
      collector: this.deps.collector,
      receivedAt: request.receivedAt,
      maxEventBytes: limits.maxEventBytes,
      headers,
      ...(request.indexOffset === undefined ? {} : { indexOffset: request.indexOffset }),
    });
    for (const rejection of prepared.rejections) this.#metrics.rejected(source.id, rejection.code, 1);
    if (prepared.records.length === 0) return { accepted: 0, rejections: prepared.rejections };

    const release = this.deps.budget.tryAcquire(prepared.records.length, prepared.bytes);
    if (release === undefined) throw this.#refuse(source, 'overloaded', prepared.records.length, overloaded(limits.retryAfterSeconds));
    this.#reportInFlight();
    return { records: prepared.records, rejections: prepared.rejections, release };
  }

  async #deliver(source: Source, { records, rejections, release }: Admitted): Promise<IngestOutcome> {
    const { limits } = this.deps;
    try {
      await this.deps.sink.publish(records);
    } catch (error) {
      throw this.#refuse(source, 'kafka_unavailable', records.length, kafkaUnavailable(limits.retryAfterSeconds, error));
    } finally {
      release();
      this.#reportInFlight();
    }
    this.#metrics.accepted(source.id, records.length);
    return { accepted: records.length, rejections };
  }

  #refuse<E extends Error>(source: Source, reason: RequestRefusal, count: number, error: E): E {
    this.#metrics.rejected(source.id, reason, count);
    return error;
  }

  #reportInFlight(): void {
    this.#metrics.inFlight(this.deps.budget.events, this.deps.budget.bytes);
  }
}
