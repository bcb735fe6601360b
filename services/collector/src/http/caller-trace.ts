import type { FastifyRequest } from 'fastify';
import { extractTraceContext, type Context } from '@kuroshio/telemetry';

/**
 * The caller's trace, when the request carries a W3C `traceparent`: the ingest span continues it
 * (an invalid header starts a new trace, as without one). Without the header nothing is parsed.
 */
export function callerTraceContext(request: FastifyRequest): Context | undefined {
  return request.headers.traceparent === undefined ? undefined : extractTraceContext(request.headers);
}
