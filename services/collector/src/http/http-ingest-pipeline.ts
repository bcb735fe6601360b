import type { IncomingMessage } from 'node:http';
import { Inject, Injectable, RequestTimeoutException, UnsupportedMediaTypeException, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '@kuroshio/service-kit';
import type { CollectorSettings } from '../collector-settings.js';
import { COLLECTOR_SETTINGS } from '../collector-tokens.js';
import { GrowingReservation, InFlightBudget } from '../ingest/in-flight-budget.js';
import { overloaded } from '../ingest/ingest-errors.js';
import { CollectorMetrics } from '../metrics/collector-metrics.js';
import { BodyTimeoutError, RequestBody, UNSUPPORTED_CONTENT_TYPE, bodyTooLarge, collectBody, inflateBody } from './request-body.js';

const INGEST_PREFIX = '/v1/';
// Every ingest body is JSON, whatever it is declared as: analytics.js declares text/plain (no CORS
// preflight), and rudder-sdk-node posts its gzipped batch through axios, which declares a Buffer
// as a form (by default, so RudderStack's own data plane must read it as JSON too).
const JSON_TYPES = ['application/json', 'text/plain', 'application/x-www-form-urlencoded'];

interface RequestState {
  readonly startedMs: number;
  /** The body was not read to its end: the socket cannot carry another request. */
  closeAfterResponse: boolean;
  /** The body's bytes in the in-flight budget, given back once: when the route takes the body, or at the end. */
  body: GrowingReservation | undefined;
}

/**
 * The Fastify side of the ingest routes, set up before the server starts: a body parser that
 * enforces the size, decompression and time limits and keeps the raw bytes (the LINE signature
 * covers them), admission of body bytes as they arrive and as they are decompressed, and request
 * metrics.
 */
@Injectable()
export class HttpIngestPipeline implements OnModuleInit {
  readonly #bodies: InFlightBudget;
  readonly #state = new WeakMap<IncomingMessage, RequestState>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(COLLECTOR_SETTINGS) private readonly settings: CollectorSettings,
    private readonly metrics: CollectorMetrics,
  ) {
    // Bodies being received or held count against the same byte bound as events awaiting Kafka.
    this.#bodies = new InFlightBudget({ maxEvents: Number.MAX_SAFE_INTEGER, maxBytes: settings.backpressure.maxInFlightBytes });
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.removeContentTypeParser(JSON_TYPES);
    fastify.addContentTypeParser(JSON_TYPES, (request, payload, done) => {
      this.#readBody(request).then(
        (body) => done(null, body),
        (error: Error) => done(error, undefined),
      );
    });
    fastify.addContentTypeParser('*', (_request, _payload, done) => {
      done(
        new UnsupportedMediaTypeException(UNSUPPORTED_CONTENT_TYPE),
        undefined,
      );
    });
    fastify.addHook('onRequest', async (request, reply) => this.#admit(request, reply));
    fastify.addHook('onResponse', async (request, reply) => this.#finish(request, reply));
  }

  async #readBody(request: FastifyRequest): Promise<RequestBody> {
    const { limits } = this.settings;
    const declared = Number(request.headers['content-length'] ?? Number.NaN);
    try {
      if (declared > limits.maxBodyBytes) throw bodyTooLarge(limits.maxBodyBytes);
      const reservation = this.#state.get(request.raw)?.body;
      const refusal = (bytes: number) => (reservation === undefined || reservation.grow(bytes) ? undefined : this.#overloaded(request));
      const wire = await collectBody(request.raw, { maxBytes: limits.maxBodyBytes, timeoutMs: limits.bodyTimeoutMs, admit: refusal });
      const bytes = await inflateBody(wire, request.headers['content-encoding'], limits.maxInflatedBytes);
      // Decompressed bytes are admitted once produced: at most the libuv threadpool's few
      // concurrent inflations (each capped at maxInflatedBytes) exist outside the budget.
      if (bytes !== wire) {
        const refused = refusal(bytes.length);
        if (refused !== undefined) throw refused;
      }
      return new RequestBody(wire, bytes, reservation?.release);
    } catch (error) {
      const state = this.#state.get(request.raw);
      if (state !== undefined && !request.raw.complete) state.closeAfterResponse = true;
      if (error instanceof BodyTimeoutError) {
        throw new RequestTimeoutException({ error: 'REQUEST_TIMEOUT', reason: 'body_timeout', message: error.message });
      }
      throw error;
    }
  }

  async #admit(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!request.url.startsWith(INGEST_PREFIX)) return;
    const state: RequestState = { startedMs: performance.now(), closeAfterResponse: false, body: undefined };
    this.#state.set(request.raw, state);
    if (request.method !== 'POST') return;
    // Not the declared Content-Length: a declaration costs a client nothing, so reserving it let a
    // few connections that never send their bodies refuse everyone else. A body is admitted as
    // its bytes arrive; here only a budget that is already full refuses the request.
    const reservation = new GrowingReservation(this.#bodies);
    if (!reservation.grow(1)) {
      const error = overloaded(this.settings.backpressure.retryAfterSeconds);
      this.#markClose(request);
      await reply
        .code(503)
        .header('retry-after', String(this.settings.backpressure.retryAfterSeconds))
        .send({ error: error.code, reason: error.reason, message: error.message });
      return;
    }
    state.body = reservation;
    reply.raw.once('close', reservation.release);
  }

  #finish(request: FastifyRequest, reply: FastifyReply): void {
    const state = this.#state.get(request.raw);
    if (state === undefined) return;
    this.metrics.request('http', request.routeOptions.url ?? 'unmatched', reply.statusCode, (performance.now() - state.startedMs) / 1000);
    if (state.closeAfterResponse) request.raw.socket.destroy();
  }

  /** The refusal of a body the budget has no room for: 503 with Retry-After (from the error's details), and the connection closed after it. */
  #overloaded(request: FastifyRequest): DomainError {
    this.#markClose(request);
    return overloaded(this.settings.backpressure.retryAfterSeconds);
  }

  #markClose(request: FastifyRequest): void {
    const state = this.#state.get(request.raw);
    if (state !== undefined) state.closeAfterResponse = true;
  }
}

/**
 * Hands the body of an ingest request, as the collector's parser read it, over to the route: the
 * request no longer refers to it, so its buffers die with the route's parse instead of living as
 * long as the request waits for Kafka, and its bytes leave the in-flight body budget (the events
 * budget bounds what the request holds from then on). A body some other parser took is refused
 * like any unsupported type.
 */
export function takeIngestBody(request: FastifyRequest): RequestBody {
  const { body } = request;
  if (body instanceof RequestBody) {
    request.body = undefined;
    body.onTaken();
    return body;
  }
  if (body !== undefined && body !== null) throw new UnsupportedMediaTypeException(UNSUPPORTED_CONTENT_TYPE);
  throw new DomainError('INVALID_ARGUMENT', 'a JSON body is required', { reason: 'empty_body' });
}
