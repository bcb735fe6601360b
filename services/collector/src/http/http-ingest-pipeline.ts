import type { IncomingMessage } from 'node:http';
import { Inject, Injectable, RequestTimeoutException, UnsupportedMediaTypeException, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '@kuroshio/service-kit';
import type { CollectorSettings } from '../collector-settings.js';
import { COLLECTOR_SETTINGS } from '../collector-tokens.js';
import { InFlightBudget } from '../ingest/in-flight-budget.js';
import { CollectorMetrics } from '../metrics/collector-metrics.js';
import { BodyTimeoutError, RequestBody, UNSUPPORTED_CONTENT_TYPE, bodyTooLarge, collectBody, inflateBody } from './request-body.js';

const INGEST_PREFIX = '/v1/';
const JSON_TYPES = ['application/json', 'text/plain'];

interface RequestState {
  readonly startedMs: number;
  /** The body was not read to its end: the socket cannot carry another request. */
  closeAfterResponse: boolean;
  /** Gives the body's bytes back to the in-flight budget (once: when the route takes the body, or at the end). */
  releaseBody: () => void;
}

/**
 * The Fastify side of the ingest routes, set up before the server starts: a body parser that
 * enforces the size, decompression and time limits and keeps the raw bytes (the LINE signature
 * covers them), admission of body bytes before a body is read, and request metrics.
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
      const wire = await collectBody(request.raw, { maxBytes: limits.maxBodyBytes, timeoutMs: limits.bodyTimeoutMs });
      const bytes = await inflateBody(wire, request.headers['content-encoding'], limits.maxInflatedBytes);
      return new RequestBody(wire, bytes, this.#state.get(request.raw)?.releaseBody);
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
    const state: RequestState = { startedMs: performance.now(), closeAfterResponse: false, releaseBody: () => undefined };
    this.#state.set(request.raw, state);
    if (request.method !== 'POST') return;
    const { limits } = this.settings;
    const declared = Number(request.headers['content-length'] ?? limits.maxBodyBytes);
    const compressed = request.headers['content-encoding'] !== undefined;
    const bytes = Math.min(Number.isFinite(declared) ? declared : limits.maxBodyBytes, limits.maxBodyBytes) + (compressed ? limits.maxInflatedBytes : 0);
    const release = this.#bodies.tryAcquire(1, bytes);
    if (release === undefined) {
      const error = new DomainError('UNAVAILABLE', 'the collector is at its in-flight limit; retry later', { reason: 'overloaded' });
      this.#markClose(request);
      await reply
        .code(503)
        .header('retry-after', String(this.settings.backpressure.retryAfterSeconds))
        .send({ error: error.code, reason: error.reason, message: error.message });
      return;
    }
    state.releaseBody = release;
    reply.raw.once('close', release);
  }

  #finish(request: FastifyRequest, reply: FastifyReply): void {
    const state = this.#state.get(request.raw);
    if (state === undefined) return;
    this.metrics.request('http', request.routeOptions.url ?? 'unmatched', reply.statusCode, (performance.now() - state.startedMs) / 1000);
    if (state.closeAfterResponse) request.raw.socket.destroy();
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
 * budget bounds what the request holds from then on). A body some other parser took (Nest
 * registers one for form posts) is refused like any unsupported type.
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
