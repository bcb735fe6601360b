import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import type { ReadinessCheck } from './readiness-check.js';
import { ReadinessModule } from './readiness.module.js';
import { ReadinessRegistry } from './readiness-registry.js';
import { ReadinessService } from './readiness.service.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function readinessWith(checks: ReadinessCheck[], timeoutMs = 1_000) {
  const moduleRef = await Test.createTestingModule({ imports: [ReadinessModule.forRoot({ checks, timeoutMs })] }).compile();
  return moduleRef.get(ReadinessService);
}

describe('ReadinessService', () => {
  it('runs the checks concurrently', async () => {
    const readiness = await readinessWith([
      { name: 'kafka', check: () => sleep(200) },
      { name: 'clickhouse', check: () => sleep(200) },
      { name: 's3', check: () => sleep(200) },
    ]);
    const started = performance.now();
    expect(await readiness.evaluate()).toEqual({ status: 'ok', checks: { kafka: 'up', clickhouse: 'up', s3: 'up' } });
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('names every failing dependency with its error', async () => {
    const readiness = await readinessWith([
      { name: 'kafka', check: () => Promise.reject(new Error('broker down')) },
      { name: 'clickhouse', check: async () => undefined },
      { name: 's3', check: () => Promise.reject(new Error('NoSuchBucket')) },
    ]);
    expect(await readiness.evaluate()).toEqual({
      status: 'error',
      checks: { kafka: 'down', clickhouse: 'up', s3: 'down' },
      errors: { kafka: 'broker down', s3: 'NoSuchBucket' },
    });
  });

  it('passes an abort signal that fires at the timeout', async () => {
    let aborted = false;
    const readiness = await readinessWith(
      [
        {
          name: 'slow',
          check: (signal) =>
            new Promise((_, reject) => {
              signal?.addEventListener('abort', () => {
                aborted = true;
                reject(new Error('aborted'));
              });
            }),
        },
      ],
      50,
    );
    expect(await readiness.evaluate()).toMatchObject({ status: 'error', errors: { slow: 'timeout of 50ms exceeded' } });
    expect(aborted).toBe(true);
  });

  it('is ready with no dependencies, and not ready once shutting down', async () => {
    const readiness = await readinessWith([]);
    const seen: string[] = [];
    readiness.onReport((r) => seen.push(r.status));
    expect((await readiness.evaluate()).status).toBe('ok');
    readiness.markShuttingDown();
    expect((await readiness.evaluate()).status).toBe('shutting_down');
    expect(seen).toEqual(['ok', 'shutting_down', 'shutting_down']);
  });

  it('refuses two checks with one name', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ReadinessModule.forRoot()] }).compile();
    const registry = moduleRef.get(ReadinessRegistry);
    registry.register({ name: 'kafka', check: async () => undefined });
    expect(() => registry.register({ name: 'kafka', check: async () => undefined })).toThrow('registered twice');
  });
});
