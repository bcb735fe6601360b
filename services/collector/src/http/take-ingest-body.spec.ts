import type { FastifyRequest } from 'fastify';
import { DomainError } from '@kuroshio/service-kit';
import { describe, expect, it } from 'vitest';
import { takeIngestBody } from './http-ingest-pipeline.js';
import { RequestBody } from './request-body.js';

describe('takeIngestBody', () => {
  it('hands the body over once: the request no longer holds it, and its bytes leave the body budget', () => {
    let released = 0;
    const body = new RequestBody(Buffer.from('{}'), Buffer.from('{}'), () => (released += 1));
    const request = { body } as unknown as FastifyRequest;
    expect(takeIngestBody(request)).toBe(body);
    expect(request.body).toBeUndefined();
    expect(released).toBe(1);
    expect(() => takeIngestBody(request)).toThrow(DomainError);
  });

  it('refuses a body another parser read', () => {
    expect(() => takeIngestBody({ body: { form: 'x' } } as unknown as FastifyRequest)).toThrow(/Content-Type/);
  });
});
