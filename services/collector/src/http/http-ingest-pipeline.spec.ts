import { gzipSync } from 'node:zlib';
import type { HttpAdapterHost } from '@nestjs/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { composeConfig, loadConfig } from '@kuroshio/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectorSettingsConfig } from '../collector-settings.js';
import { CollectorMetrics } from '../metrics/collector-metrics.js';
import { HttpIngestPipeline, takeIngestBody } from './http-ingest-pipeline.js';

// The pipeline on a bare Fastify instance, requests injected (no socket): which bodies the ingest
// routes get to read, as the collector installs the parser.
let app: FastifyInstance;

beforeAll(async () => {
  app = Fastify();
  const { collector: settings } = loadConfig(composeConfig({ collector: collectorSettingsConfig() }), {});
  new HttpIngestPipeline({ httpAdapter: { getInstance: () => app } } as unknown as HttpAdapterHost, settings, new CollectorMetrics()).onModuleInit();
  app.post('/v1/batch', async (request) => takeIngestBody(request).bytes.toString('utf8'));
  await app.ready();
});

afterAll(async () => {
  await app.close();
});

const body = JSON.stringify({ batch: [{ type: 'track', messageId: 'm-1', event: 'Login', userId: 'u' }] });
const post = (headers: Record<string, string>, payload: string | Buffer) => app.inject({ method: 'POST', url: '/v1/batch', headers, payload });

describe('HttpIngestPipeline body parser', () => {
  it.each(['application/json', 'application/json; charset=utf-8', 'text/plain'])('reads a %s body as the route body', async (contentType) => {
    const reply = await post({ 'content-type': contentType }, body);
    expect({ status: reply.statusCode, body: reply.body }).toEqual({ status: 200, body });
  });

  it('reads the gzipped JSON that rudder-sdk-node (axios) declares as application/x-www-form-urlencoded', async () => {
    const reply = await post({ 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip' }, gzipSync(body));
    expect({ status: reply.statusCode, body: reply.body }).toEqual({ status: 200, body });
  });

  it.each(['application/xml', 'multipart/form-data; boundary=x'])('refuses a %s body with 415', async (contentType) => {
    expect((await post({ 'content-type': contentType }, body)).statusCode).toBe(415);
  });
});
