import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('TokenBucket', () => {
  it('allows the burst at once, then refills at the rate', () => {
    const time = clock();
    const bucket = new TokenBucket({ eventsPerSecond: 100, burst: 50 }, time.now);
    expect(bucket.take(50)).toEqual({ ok: true });
    expect(bucket.take(1)).toEqual({ ok: false, retryAfterMs: 10 });
    time.advance(100);
    expect(bucket.take(10)).toEqual({ ok: true });
    expect(bucket.take(1).ok).toBe(false);
  });

  it('says how long until the request would fit', () => {
    const time = clock();
    const bucket = new TokenBucket({ eventsPerSecond: 10, burst: 20 }, time.now);
    bucket.take(20);
    expect(bucket.take(15)).toEqual({ ok: false, retryAfterMs: 1500 });
    time.advance(1500);
    expect(bucket.take(15)).toEqual({ ok: true });
  });

  it('never stores more than the burst', () => {
    const time = clock();
    const bucket = new TokenBucket({ eventsPerSecond: 1000, burst: 5 }, time.now);
    time.advance(60_000);
    expect(bucket.take(5).ok).toBe(true);
    expect(bucket.take(1).ok).toBe(false);
  });

  it('lets a batch larger than the burst through from a full bucket, and makes later requests pay the debt', () => {
    const time = clock();
    const bucket = new TokenBucket({ eventsPerSecond: 10, burst: 10 }, time.now);
    expect(bucket.take(30).ok).toBe(true);
    time.advance(1000);
    // tokens: 10 - 30 + 10 = -10, so one event waits 1.1 s.
    expect(bucket.take(1)).toEqual({ ok: false, retryAfterMs: 1100 });
    time.advance(1100);
    expect(bucket.take(1).ok).toBe(true);
  });

  it('holds the long-run rate under constant pressure', () => {
    const time = clock();
    const bucket = new TokenBucket({ eventsPerSecond: 200, burst: 20 }, time.now);
    let accepted = 0;
    for (let ms = 0; ms < 10_000; ms += 1) {
      if (bucket.take(1).ok) accepted += 1;
      time.advance(1);
    }
    expect(accepted).toBeGreaterThanOrEqual(2000);
    expect(accepted).toBeLessThanOrEqual(2020);
  });
});
