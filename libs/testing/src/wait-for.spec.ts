import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for.js';

describe('waitFor', () => {
  it('resolves with the first usable result', async () => {
    let calls = 0;
    const result = await waitFor(() => (++calls >= 3 ? { calls } : undefined), { intervalMs: 1 });
    expect(result).toEqual({ calls: 3 });
  });

  it('treats thrown errors as "not yet"', async () => {
    let calls = 0;
    await expect(
      waitFor(
        () => {
          if (++calls < 3) throw new Error('not ready');
          return true;
        },
        { intervalMs: 1 },
      ),
    ).resolves.toBe(true);
  });

  it('fails with the description and the last error after the timeout', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('connection refused');
        },
        { timeoutMs: 30, intervalMs: 5, description: 'kafka' },
      ),
    ).rejects.toThrow(/timed out after 30 ms waiting for kafka: last error: connection refused/);
  });
});
