import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '@kuroshio/config';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { createLogger } from './logger.js';
import { withSpan } from './spans.js';
import { startTracing, type StopTracing } from './tracing.js';
import { captureLogLines } from './testing/captured-logs.js';

let stopTracing: StopTracing;
const exporter = new InMemorySpanExporter();

beforeAll(() => {
  stopTracing = startTracing({ serviceName: 'test', spanExporter: exporter });
});
afterAll(async () => {
  await stopTracing();
});

describe('createLogger', () => {
  it('writes JSON lines with the service, a level label and a timestamp', () => {
    const { destination, lines } = captureLogLines();
    createLogger({ service: 'collector', destination }).info({ batch: 3 }, 'accepted');
    expect(lines[0]).toMatchObject({ service: 'collector', level: 'info', msg: 'accepted', batch: 3 });
    expect(typeof lines[0]?.['time']).toBe('string');
  });

  it('carries trace_id and span_id of the active span', async () => {
    const { destination, lines } = captureLogLines();
    const logger = createLogger({ service: 'etl', destination });
    const ids = await withSpan('handle batch', {}, (span) => {
      logger.info('inside');
      return span.spanContext();
    });
    logger.info('outside');
    expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(lines[0]).toMatchObject({ msg: 'inside', trace_id: ids.traceId, span_id: ids.spanId });
    expect(lines[1]).not.toHaveProperty('trace_id');
  });

  it('redacts secret fields at the top level and nested', () => {
    const { destination, raw, lines } = captureLogLines();
    const logger = createLogger({ service: 'collector', destination, redactFields: ['lineChannelSecret'] });
    logger.info({ password: 'pw-top', writeKey: 'wk-1' }, 'top');
    logger.info({ kafka: { password: 'pw-nested', user: 'svc' } }, 'nested');
    logger.info({ req: { headers: { authorization: 'Bearer tok-1', 'x-api-key': 'key-1', host: 'h' } } }, 'headers');
    logger.info({ config: { s3: { secretKey: 'sk-1' } } }, 'deep');
    logger.info({ creds: new Secret('held-secret'), lineChannelSecret: 'line-1' }, 'secret object');
    const all = raw.join('');
    for (const value of ['pw-top', 'wk-1', 'pw-nested', 'tok-1', 'key-1', 'sk-1', 'held-secret', 'line-1']) expect(all).not.toContain(value);
    expect(lines[1]).toMatchObject({ kafka: { password: '[redacted]', user: 'svc' } });
    expect(lines[2]).toMatchObject({ req: { headers: { authorization: '[redacted]', host: 'h' } } });
  });

  it('respects the level', () => {
    const { destination, lines } = captureLogLines();
    const logger = createLogger({ service: 's', level: 'warn', destination });
    logger.info('dropped');
    logger.warn('kept');
    expect(lines.map((l) => l['msg'])).toEqual(['kept']);
  });
});
