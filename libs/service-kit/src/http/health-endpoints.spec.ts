import { startProcessMetrics } from '@kuroshio/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService } from '../testing/test-service.js';

type Service = Awaited<ReturnType<typeof startTestService>>;
let service: Service;

beforeAll(async () => {
  startProcessMetrics('test-service');
  service = await startTestService({ readinessTimeoutMs: 300 });
});
afterAll(async () => {
  await service.close();
});

async function get(path: string) {
  const response = await fetch(`${service.httpUrl}${path}`);
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type'), text, json: () => JSON.parse(text) as unknown };
}

describe('/healthz, /readyz, /metrics', () => {
  it('binds loopback by default', () => {
    expect(service.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('is ready while every dependency answers', async () => {
    service.broker.reachable = true;
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok', checks: { kafka: 'up', clickhouse: 'up' } });
  });

  it('answers 503 naming the failing dependency and its error, and recovers', async () => {
    service.broker.reachable = false;
    const down = await get('/readyz');
    expect(down.status).toBe(503);
    expect(down.json()).toEqual({
      status: 'error',
      checks: { kafka: 'down', clickhouse: 'up' },
      errors: { kafka: 'connect ECONNREFUSED 127.0.0.1:9092' },
    });
    expect((await get('/healthz')).status).toBe(200);
    service.broker.reachable = true;
    expect((await get('/readyz')).status).toBe(200);
  });

  it('reports a check that hangs as down after the timeout, without waiting for it', async () => {
    service.broker.delayMs = 5_000;
    const started = performance.now();
    const slow = await get('/readyz');
    service.broker.delayMs = 0;
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(slow.status).toBe(503);
    expect(slow.json()).toMatchObject({ errors: { kafka: 'timeout of 300ms exceeded' } });
  });

  it('keeps /healthz at 200 whatever the dependencies do', async () => {
    for (const reachable of [true, false, true]) {
      service.broker.reachable = reachable;
      const live = await get('/healthz');
      expect(live.status).toBe(200);
      expect(live.json()).toEqual({ status: 'ok' });
    }
  });

  it('serves Prometheus text with the default process metrics', async () => {
    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.contentType).toContain('text/plain');
    expect(metrics.text).toMatch(/^process_resident_memory_bytes\{service="test-service"\} \d+/m);
    expect(metrics.text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
  });
});
