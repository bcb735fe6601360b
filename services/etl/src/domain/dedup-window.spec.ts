import { describe, expect, it } from 'vitest';
import { DedupWindow } from './dedup-window.js';

describe('DedupWindow', () => {
  it('reports a messageId seen before at other coordinates, per tenant', () => {
    const window = new DedupWindow(10);
    expect(window.isDuplicate('bank', 'm-1', 't/0/1')).toBe(false);
    expect(window.isDuplicate('bank', 'm-1', 't/0/2')).toBe(true);
    expect(window.isDuplicate('telco', 'm-1', 't/0/3')).toBe(false);
  });

  it('does not call a redelivered record a duplicate of itself', () => {
    const window = new DedupWindow(10);
    expect(window.isDuplicate('bank', 'm-1', 't/0/1')).toBe(false);
    expect(window.isDuplicate('bank', 'm-1', 't/0/1')).toBe(false);
  });

  it('forgets the oldest entries past its capacity', () => {
    const window = new DedupWindow(2);
    window.isDuplicate('bank', 'a', 'x/0/1');
    window.isDuplicate('bank', 'b', 'x/0/2');
    window.isDuplicate('bank', 'c', 'x/0/3');
    expect(window.size).toBe(2);
    expect(window.isDuplicate('bank', 'a', 'x/0/9')).toBe(false);
    expect(window.isDuplicate('bank', 'c', 'x/0/9')).toBe(true);
  });
});
