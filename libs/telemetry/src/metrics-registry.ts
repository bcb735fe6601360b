import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type CounterConfiguration, type GaugeConfiguration, type HistogramConfiguration, type Metric } from 'prom-client';

/** The one Prometheus registry of the process; `/metrics` renders it. */
export const metricsRegistry = new Registry();

let defaultMetricsFor: string | undefined;

/**
 * Labels every series with `service` and starts the default process metrics (CPU, memory, event-loop
 * lag, GC). Idempotent for the same service; a second, different name is a wiring mistake.
 */
export function startProcessMetrics(service: string): void {
  if (defaultMetricsFor === service) return;
  if (defaultMetricsFor !== undefined) throw new Error(`process metrics already started for service "${defaultMetricsFor}"`);
  metricsRegistry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: metricsRegistry });
  defaultMetricsFor = service;
}

type MetricClass<M> = abstract new (...args: never[]) => M;

// Registering the same name twice throws in prom-client; modules that define their metrics at
// construction (and tests that build them repeatedly) get the existing one back instead.
function existing<M extends Metric>(name: string, kind: MetricClass<M>): M | undefined {
  const found = metricsRegistry.getSingleMetric(name);
  if (found === undefined) return undefined;
  if (!(found instanceof kind)) throw new Error(`metric "${name}" is already registered as a different type`);
  return found;
}

export function defineCounter<L extends string = string>(config: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
  return existing(config.name, Counter<L>) ?? new Counter<L>({ ...config, registers: [metricsRegistry] });
}

export function defineGauge<L extends string = string>(config: Omit<GaugeConfiguration<L>, 'registers'>): Gauge<L> {
  return existing(config.name, Gauge<L>) ?? new Gauge<L>({ ...config, registers: [metricsRegistry] });
}

export function defineHistogram<L extends string = string>(config: Omit<HistogramConfiguration<L>, 'registers'>): Histogram<L> {
  return existing(config.name, Histogram<L>) ?? new Histogram<L>({ ...config, registers: [metricsRegistry] });
}
