import { ProxyTracerProvider, context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, NoopSpanProcessor, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace';

export interface TracingOptions {
  readonly serviceName: string;
  /** OTLP/HTTP base URL (OTEL_EXPORTER_OTLP_ENDPOINT, e.g. http://collector:4318); spans go to `<it>/v1/traces`. */
  readonly otlpEndpoint?: string | undefined;
  /** Export synchronously to this exporter instead (tests: an `InMemorySpanExporter`). */
  readonly spanExporter?: SpanExporter;
}

/** Flushes pending spans and unregisters the SDK. */
export type StopTracing = () => Promise<void>;

/**
 * Starts the OpenTelemetry SDK: W3C trace-context propagation, spans exported over OTLP/HTTP when an
 * endpoint is configured. Without one, spans are still created (so logs and Kafka headers carry real
 * trace ids across services) but not exported. No auto-instrumentation: Kafka and gRPC spans are
 * made explicitly where the messages are handled.
 */
export function startTracing(options: TracingOptions): StopTracing {
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    textMapPropagator: new W3CTraceContextPropagator(),
    spanProcessors: [spanProcessorFor(options)],
    // Metrics are Prometheus (prom-client) and logs are pino: keep the SDK from reading OTEL_*_EXPORTER for them.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  return async () => {
    await sdk.shutdown();
    // Unregister the globals so a later start in the same process (tests, restarts) takes effect.
    trace.disable();
    context.disable();
    propagation.disable();
  };
}

/** Exports every ended span now (spans wait for async resource detection otherwise); tests read them after. */
export async function flushSpans(): Promise<void> {
  const registered = trace.getTracerProvider();
  const provider: unknown = registered instanceof ProxyTracerProvider ? registered.getDelegate() : registered;
  if (typeof provider === 'object' && provider !== null && 'forceFlush' in provider && typeof provider.forceFlush === 'function') {
    await (provider.forceFlush as () => Promise<void>)();
  }
}

function spanProcessorFor(options: TracingOptions): SpanProcessor {
  if (options.spanExporter !== undefined) return new SimpleSpanProcessor({ exporter: options.spanExporter });
  if (options.otlpEndpoint !== undefined) return new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: tracesUrl(options.otlpEndpoint) }) });
  return new NoopSpanProcessor();
}

function tracesUrl(endpoint: string): string {
  return new URL('v1/traces', endpoint.endsWith('/') ? endpoint : `${endpoint}/`).toString();
}
