import { DomainError } from '@kuroshio/service-kit';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MicroBatcher, type MicroBatchLimits } from './micro-batcher.js';

function recording(limits: Partial<MicroBatchLimits> = {}, delayRun = false) {
  const batches: number[][] = [];
  const triggers: string[] = [];
  const release: Array<() => void> = [];
  const batcher = new MicroBatcher<number, number>(
    async (inputs) => {
      batches.push([...inputs]);
      if (delayRun) await new Promise<void>((resolve) => release.push(resolve));
      return inputs.map((x) => x * 10);
    },
    { maxBatchSize: 4, maxQueueDelayMs: 5, maxQueuedRows: 100, maxConcurrentBatches: 1, ...limits },
    { batchFormed: (_rows, _jobs, trigger) => triggers.push(trigger) },
  );
  return { batcher, batches, triggers, release };
}

describe('MicroBatcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs a batch as soon as max batch size rows are queued, without waiting for the delay', async () => {
    const { batcher, batches, triggers } = recording();
    const results = Promise.all([1, 2, 3, 4].map((x) => batcher.submit(x)));
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([[1, 2, 3, 4]]);
    expect(triggers).toEqual(['size']);
    expect(await results).toEqual([10, 20, 30, 40]);
  });

  it('runs a partial batch when the oldest row has waited max queue delay', async () => {
    const { batcher, batches, triggers } = recording();
    const first = batcher.submit(1);
    await vi.advanceTimersByTimeAsync(3);
    const second = batcher.submit(2);
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(2);
    expect(batches).toEqual([[1, 2]]);
    expect(triggers).toEqual(['delay']);
    expect(await Promise.all([first, second])).toEqual([10, 20]);
  });

  it('with a zero delay batches what arrives in the same tick', async () => {
    const { batcher, batches } = recording({ maxQueueDelayMs: 0 });
    const all = Promise.all([batcher.submit(1), batcher.submit(2)]);
    await vi.advanceTimersByTimeAsync(0);
    await all;
    expect(batches).toEqual([[1, 2]]);
  });

  it('keeps a job whole: one with more rows than the batch size runs alone', async () => {
    const { batcher, batches } = recording();
    const small = batcher.submit(1, 1);
    const big = batcher.submit(2, 9);
    await vi.advanceTimersByTimeAsync(5);
    await Promise.all([small, big]);
    expect(batches).toEqual([[1], [2]]);
  });

  it('sheds new jobs with RESOURCE_EXHAUSTED when the queue is full, and serves the queued ones', async () => {
    const shed: number[] = [];
    const batcher = new MicroBatcher<number, number>(async (inputs) => inputs, { maxBatchSize: 100, maxQueueDelayMs: 10, maxQueuedRows: 3, maxConcurrentBatches: 1 }, { shed: (rows) => shed.push(rows) });
    const kept = [batcher.submit(1), batcher.submit(2, 2)];
    const refused = batcher.submit(3);
    await expect(refused).rejects.toBeInstanceOf(DomainError);
    await expect(refused).rejects.toMatchObject({ code: 'RESOURCE_EXHAUSTED', reason: 'queue_full' });
    expect(shed).toEqual([1]);
    await vi.advanceTimersByTimeAsync(10);
    expect(await Promise.all(kept)).toEqual([1, 2]);
    // Room again once the queue drained.
    const again = batcher.submit(4);
    await vi.advanceTimersByTimeAsync(10);
    expect(await again).toBe(4);
  });

  it('runs at most max concurrent batches; rows queued meanwhile run right after, without a new delay', async () => {
    const { batcher, batches, release, triggers } = recording({ maxBatchSize: 2 }, true);
    const a = [batcher.submit(1), batcher.submit(2)];
    await vi.advanceTimersByTimeAsync(0);
    const b = [batcher.submit(3)];
    await vi.advanceTimersByTimeAsync(50);
    expect(batches).toEqual([[1, 2]]);
    release.shift()?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([[1, 2], [3]]);
    expect(triggers).toEqual(['size', 'drain']);
    release.shift()?.();
    expect(await Promise.all([...a, ...b])).toEqual([10, 20, 30]);
  });

  it('fails every job of a batch whose model call failed, and keeps serving after', async () => {
    let fail = true;
    const batcher = new MicroBatcher<number, number>(
      async (inputs) => {
        if (fail) throw new Error('model exploded');
        return inputs;
      },
      { maxBatchSize: 2, maxQueueDelayMs: 1, maxQueuedRows: 10, maxConcurrentBatches: 1 },
    );
    const failed = [batcher.submit(1), batcher.submit(2)];
    for (const job of failed) await expect(job).rejects.toThrow('model exploded');
    fail = false;
    const ok = batcher.submit(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(await ok).toBe(3);
  });

  it('idle() settles once nothing is queued or running', async () => {
    const { batcher, release } = recording({}, true);
    void batcher.submit(1);
    let idle = false;
    void batcher.idle().then(() => (idle = true));
    await vi.advanceTimersByTimeAsync(5);
    expect(idle).toBe(false);
    release.shift()?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(idle).toBe(true);
  });
});

describe('MicroBatcher properties', () => {
  it('every job gets its own output, no batch exceeds the size unless one job does, rows are never lost', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 3 }),
        async (jobRows, maxBatchSize, concurrency) => {
          const sizes: number[] = [];
          const batcher = new MicroBatcher<{ id: number; rows: number }, number>(
            async (inputs) => {
              const rows = inputs.reduce((sum, input) => sum + input.rows, 0);
              sizes.push(rows);
              if (inputs.length > 1) expect(rows).toBeLessThanOrEqual(maxBatchSize);
              await new Promise((resolve) => setImmediate(resolve));
              return inputs.map((input) => input.id);
            },
            { maxBatchSize, maxQueueDelayMs: 0, maxQueuedRows: 1_000, maxConcurrentBatches: concurrency },
          );
          const outputs = await Promise.all(jobRows.map((rows, id) => batcher.submit({ id, rows }, rows)));
          expect(outputs).toEqual(jobRows.map((_, id) => id));
          expect(sizes.reduce((a, b) => a + b, 0)).toBe(jobRows.reduce((a, b) => a + b, 0));
        },
      ),
      { numRuns: 60 },
    );
  });
});
