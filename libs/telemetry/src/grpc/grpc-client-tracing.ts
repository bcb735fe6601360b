import { InterceptingCall, type ClientOptions, type Interceptor } from '@grpc/grpc-js';
import { SpanKind, context, propagation, trace } from '@opentelemetry/api';
import { tracer } from '../spans.js';
import { endRpcSpan, metadataSetter, rpcMethodOf } from './rpc-span.js';

/**
 * A grpc-js client interceptor: one CLIENT span per call, named `<package.Service>/<Method>`, child
 * of the context active when the call is made; its `traceparent` goes out in the call's metadata,
 * so the server's span continues the trace. Ended with the call's status. Response callbacks run in
 * the caller's context again: grpc-js runs them in the context that started the connection, which
 * for calls queued behind a connection attempt is another caller's.
 */
export const grpcClientTracing: Interceptor = (options, nextCall) => {
  const { path, responseStream } = options.method_definition;
  const rpc = rpcMethodOf(path);
  const caller = context.active();
  const span = tracer().startSpan(rpc.name, { kind: SpanKind.CLIENT, attributes: rpc.attributes }, caller);
  const callContext = trace.setSpan(caller, span);
  return new InterceptingCall(nextCall(options), {
    start: (metadata, listener, next) => {
      propagation.inject(callContext, metadata, metadataSetter);
      next(metadata, {
        // A unary call's callback runs on the status; a response stream emits each message as it comes.
        ...(responseStream ? { onReceiveMessage: (message: unknown, nextMessage: (message: unknown) => void) => context.with(caller, nextMessage, undefined, message) } : {}),
        onReceiveStatus: (status, nextStatus) => {
          endRpcSpan(span, status.code, status.details, SpanKind.CLIENT);
          context.with(caller, nextStatus, undefined, status);
        },
      });
    },
  });
};

/**
 * Options for a generated or loaded grpc-js client (`new FooServiceClient(address, credentials,
 * tracedClientOptions())`) whose calls are traced: `grpcClientTracing` runs first, so its span
 * covers any interceptor passed in `options`.
 */
export function tracedClientOptions(options: ClientOptions = {}): ClientOptions {
  return { ...options, interceptors: [grpcClientTracing, ...(options.interceptors ?? [])] };
}
