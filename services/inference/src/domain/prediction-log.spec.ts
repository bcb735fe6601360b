import { describe, expect, it } from 'vitest';
import { PredictionLog, type LogRecord } from './prediction-log.js';

const record = (key: string): LogRecord => ({ topic: 'predictions', key, value: Buffer.from(key) });

function recordingSender() {
  const sends: string[][] = [];
  return { sends, send: async (_topic: string, messages: ReadonlyArray<{ key: string }>) => void sends.push(messages.map((m) => m.key)) };
}

describe('PredictionLog', () => {
  it('sends at once without a linger', async () => {
    const sender = recordingSender();
    const log = new PredictionLog(sender, { capacity: 100, sendBatch: 10, retryMs: 10 });
    log.reserve(1).commit([record('a')]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    log.reserve(1).commit([record('b')]);
    await log.close(1_000);
    expect(sender.sends).toEqual([['a'], ['b']]);
  });

  it('lingers for more records when less than a batch waits, then sends them together', async () => {
    const sender = recordingSender();
    const log = new PredictionLog(sender, { capacity: 100, sendBatch: 10, retryMs: 10, lingerMs: 50 });
    log.reserve(1).commit([record('a')]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    log.reserve(2).commit([record('b'), record('c')]);
    expect(sender.sends).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(sender.sends).toEqual([['a', 'b', 'c']]);
    await log.close(1_000);
  });

  it('does not linger once a full batch waits', async () => {
    const sender = recordingSender();
    const log = new PredictionLog(sender, { capacity: 100, sendBatch: 2, retryMs: 10, lingerMs: 10_000 });
    log.reserve(2).commit([record('a'), record('b')]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sender.sends).toEqual([['a', 'b']]);
    await log.close(1_000);
  });

  it('sends what lingers when closed', async () => {
    const sender = recordingSender();
    const log = new PredictionLog(sender, { capacity: 100, sendBatch: 10, retryMs: 10, lingerMs: 10_000 });
    log.reserve(1).commit([record('a')]);
    const started = performance.now();
    expect(await log.close(5_000)).toBe(0);
    expect(sender.sends).toEqual([['a']]);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
