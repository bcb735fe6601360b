import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isSpanContextValid } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { withSpan } from './spans.js';
import { injectTraceHeaders } from './trace-propagation.js';
import { startTracing } from './tracing.js';

describe('startTracing', () => {
  it('creates real trace ids without an exporter, so logs and headers still correlate', async () => {
    const stop = startTracing({ serviceName: 'etl' });
    try {
      const { valid, headers } = await withSpan('x', {}, (span) => ({ valid: isSpanContextValid(span.spanContext()), headers: injectTraceHeaders({}) }));
      expect(valid).toBe(true);
      expect(headers['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    } finally {
      await stop();
    }
    // Stopped: the API is back to no-ops.
    expect(await withSpan('after', {}, () => injectTraceHeaders({}))).toEqual({});
  });

  it('exports spans over OTLP/HTTP to <endpoint>/v1/traces, flushing on stop', async () => {
    const requests: { method: string | undefined; url: string | undefined; service: boolean }[] = [];
    const collector = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests.push({ method: req.method, url: req.url, service: Buffer.concat(chunks).includes('model-registry') });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    try {
      const stop = startTracing({ serviceName: 'model-registry', otlpEndpoint: `http://127.0.0.1:${port}` });
      await withSpan('set alias', {}, () => undefined);
      await stop();
      expect(requests).toEqual([{ method: 'POST', url: '/v1/traces', service: true }]);
    } finally {
      collector.close();
    }
  });
});
