import { describe, expect, it } from 'vitest';
import { TokenCache } from './token-cache.js';

describe('TokenCache', () => {
  it('never holds more than its capacity', () => {
    const cache = new TokenCache(10);
    for (let i = 0; i < 1000; i++) cache.set(`k${i}`, `t${i}`);
    expect(cache.size).toBeLessThanOrEqual(10);
    expect(cache.get('k999')).toBe('t999');
    expect(cache.get('k0')).toBeUndefined();
  });

  it('keeps an entry that is used while newer ones arrive', () => {
    const cache = new TokenCache(10);
    cache.set('hot', 'token');
    for (let i = 0; i < 1000; i++) {
      cache.set(`k${i}`, `t${i}`);
      expect(cache.get('hot')).toBe('token');
    }
  });

  it('holds nothing with capacity 0', () => {
    const cache = new TokenCache(0);
    cache.set('a', 'b');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
