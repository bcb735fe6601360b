import { ServerInterceptingCall, status as GrpcStatus, type Responder, type ServerInterceptingCallInterface, type ServerInterceptor, type ServerListener } from '@grpc/grpc-js';
import { ROOT_CONTEXT, SpanKind, context, propagation, trace, type Context, type Span } from '@opentelemetry/api';
import { tracer } from '../spans.js';
import { endRpcSpan, metadataGetter, rpcMethodOf, type RpcMethod } from './rpc-span.js';

export interface GrpcServerTracingOptions {
  /** Fully-qualified services whose calls get no span, e.g. `grpc.health.v1.Health` (probes every few seconds). */
  readonly untracedServices?: readonly string[];
}

/**
 * A grpc-js server interceptor: one SERVER span per call (unary or streaming), named
 * `<package.Service>/<Method>`, continuing the caller's trace from the `traceparent`/`tracestate`
 * metadata and ended with the status the call ends with (`rpc.grpc.status_code`). The events that
 * start the handler or feed it messages are delivered inside the span's context, so the handler
 * (and whatever it awaits, logs or sends to Kafka) runs in it.
 */
export function grpcServerTracing(options: GrpcServerTracingOptions = {}): ServerInterceptor {
  const untraced = new Set(options.untracedServices ?? []);
  return (method, call) => {
    const rpc = rpcMethodOf(method.path);
    return untraced.has(rpc.service) ? new ServerInterceptingCall(call) : new ServerInterceptingCall(call, tracedResponder(rpc, call, method.requestStream));
  };
}

function tracedResponder(rpc: RpcMethod, call: ServerInterceptingCallInterface, requestStream: boolean): Responder {
  let span: Span | undefined;
  let active: Context = ROOT_CONTEXT;
  let ended = false;
  const begin = (parent: Context): Span => {
    span = tracer().startSpan(rpc.name, { kind: SpanKind.SERVER, attributes: rpc.attributes }, parent);
    active = trace.setSpan(parent, span);
    return span;
  };
  const end = (code: number, details: string | undefined) => {
    if (ended) return;
    ended = true;
    // A status before any metadata (a malformed call grpc-js refuses) still gets its span.
    endRpcSpan(span ?? begin(ROOT_CONTEXT), code, details, SpanKind.SERVER);
  };
  // grpc-js starts a unary or server-streaming handler on the half-close, and hands a request stream
  // (client or bidirectional streaming) to its handler with the metadata, its messages as they come:
  // only those events need the span's context (each `context.with` costs ~0.3 µs).
  const listener: ServerListener = {
    onReceiveMetadata: (metadata, next) => {
      begin(propagation.extract(ROOT_CONTEXT, metadata, metadataGetter));
      if (requestStream) context.with(active, next, undefined, metadata);
      else next(metadata);
    },
    ...(requestStream ? { onReceiveMessage: (message: unknown, next: (message: unknown) => void) => context.with(active, next, undefined, message) } : {}),
    onReceiveHalfClose: (next) => context.with(active, next),
    // grpc-js also reports every finished call here; only a call that ends without a status
    // (client cancelled, deadline passed) is still open.
    onCancel: () => (deadlinePassed(call) ? end(GrpcStatus.DEADLINE_EXCEEDED, 'deadline exceeded') : end(GrpcStatus.CANCELLED, 'cancelled by the client')),
  };
  return {
    start: (next) => next(listener),
    sendStatus: (status, next) => {
      end(status.code, status.details);
      next(status);
    },
  };
}

/**
 * A client whose deadline passes cancels the call itself, and that reaches the server at about the
 * server's own deadline (the client's plus the one-way latency), often just before it: so a cancel
 * within this margin of the deadline counts as the deadline.
 */
const DEADLINE_MARGIN_MS = 20;

function deadlinePassed(call: ServerInterceptingCallInterface): boolean {
  const deadline = call.getDeadline();
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) && ms - DEADLINE_MARGIN_MS <= Date.now();
}
