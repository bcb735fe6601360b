import { ROOT_CONTEXT, context, propagation, type Context, type TextMapGetter } from '@opentelemetry/api';

/** Headers as the Kafka wrapper and HTTP handlers see them once decoded to strings. */
export type TraceCarrier = Record<string, string>;

const carrierGetter: TextMapGetter<Readonly<Record<string, string | readonly string[] | undefined>>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const direct = carrier[key] ?? carrier[Object.keys(carrier).find((k) => k.toLowerCase() === key) ?? ''];
    return typeof direct === 'string' ? direct : direct?.[0];
  },
};

/** Writes W3C `traceparent` (and `tracestate`) of `ctx` (the active context by default) into `headers`. */
export function injectTraceHeaders(headers: TraceCarrier, ctx: Context = context.active()): TraceCarrier {
  propagation.inject(ctx, headers);
  return headers;
}

/** The context carried by incoming headers, to parent the span that handles them. */
export function extractTraceContext(headers: Readonly<Record<string, string | readonly string[] | undefined>>): Context {
  return propagation.extract(ROOT_CONTEXT, headers, carrierGetter);
}
