import { Counter } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { defineCounter, defineGauge, defineHistogram, metricsRegistry, startProcessMetrics } from './metrics-registry.js';

describe('metricsRegistry', () => {
  it('labels every series with the service and exposes default process metrics', async () => {
    startProcessMetrics('trainer');
    startProcessMetrics('trainer');
    expect(() => startProcessMetrics('other')).toThrow('already started');
    const text = await metricsRegistry.metrics();
    expect(text).toMatch(/^process_cpu_user_seconds_total\{service="trainer"\} /m);
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('defines metrics idempotently on the one registry', async () => {
    const first = defineCounter({ name: 'kuroshio_test_events_total', help: 'events', labelNames: ['topic'] });
    const second = defineCounter({ name: 'kuroshio_test_events_total', help: 'events', labelNames: ['topic'] });
    expect(second).toBe(first);
    expect(first).toBeInstanceOf(Counter);
    first.inc({ topic: 'kuroshio.events.raw.v1' }, 2);
    defineHistogram({ name: 'kuroshio_test_latency_seconds', help: 'latency', buckets: [0.1, 1] }).observe(0.5);
    defineGauge({ name: 'kuroshio_test_lag', help: 'lag' }).set(7);
    const text = await metricsRegistry.metrics();
    expect(text).toMatch(/kuroshio_test_events_total\{topic="kuroshio.events.raw.v1",service="trainer"\} 2/);
    expect(text).toMatch(/kuroshio_test_latency_seconds_bucket\{le="1",service="trainer"\} 1/);
    expect(text).toMatch(/kuroshio_test_lag\{service="trainer"\} 7/);
  });

  it('refuses to hand back a metric of another type under the same name', () => {
    defineGauge({ name: 'kuroshio_test_kind', help: 'x' });
    expect(() => defineCounter({ name: 'kuroshio_test_kind', help: 'x' })).toThrow('different type');
  });
});
