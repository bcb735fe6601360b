import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService } from '../testing/test-service.js';

type Service = Awaited<ReturnType<typeof startTestService>>;
let service: Service;

beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service.close();
});

describe('DomainError over HTTP', () => {
  it('answers with the mapped status and a coded body', async () => {
    const response = await fetch(`${service.httpUrl}/things/42`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'NOT_FOUND', reason: 'not_found', message: 'no thing 42' });
  });

  it('carries the domain reason and details', async () => {
    const response = await fetch(`${service.httpUrl}/things/locked`);
    expect(response.status).toBe(412);
    expect(await response.json()).toEqual({
      error: 'FAILED_PRECONDITION',
      reason: 'thing_locked',
      message: 'thing is locked',
      details: { id: 'locked' },
    });
  });

  it('turns details.retryAfterSeconds into Retry-After, and sends none otherwise', async () => {
    const busy = await fetch(`${service.httpUrl}/things/busy`);
    expect({ status: busy.status, retryAfter: busy.headers.get('retry-after') }).toEqual({ status: 503, retryAfter: '7' });
    expect((await fetch(`${service.httpUrl}/things/locked`)).headers.get('retry-after')).toBeNull();
  });

  it('leaves other errors to Nest (unknown route is a plain 404)', async () => {
    const response = await fetch(`${service.httpUrl}/nowhere`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ statusCode: 404 });
  });
});
