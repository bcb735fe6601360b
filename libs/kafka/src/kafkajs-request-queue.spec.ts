import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KAFKAJS_REQUEST_QUEUE_MODULE, kafkajsRequestQueue } from './kafkajs-request-queue.js';

const require = createRequire(import.meta.url);

interface Queue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  scheduleCheckPendingRequests(): void;
  checkPendingRequests(): void;
  destroy(): void;
}

/** A RequestQueue with only the state the scheduling reads (its constructor wants a live connection). */
function queue(state: Partial<Queue> = {}): Queue {
  const RequestQueue = require(KAFKAJS_REQUEST_QUEUE_MODULE) as { prototype: Queue };
  const check = vi.fn();
  return Object.assign(Object.create(RequestQueue.prototype) as Queue, { pending: [], throttledUntil: -1, throttleCheckTimeoutId: null, checkPendingRequests: check }, state);
}

describe('kafkajs request queue scheduling', () => {
  afterEach(() => vi.useRealTimers());

  it('is installed on the pinned kafkajs', () => {
    expect(kafkajsRequestQueue).toBe('installed');
  });

  it('arms no timer when nothing is pending and the broker has not throttled (kafkajs armed one every millisecond, forever)', () => {
    vi.useFakeTimers();
    const idle = queue();
    idle.scheduleCheckPendingRequests();
    expect(idle.throttleCheckTimeoutId).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("keeps kafkajs' own schedule when a request is pending: checked again after 10 ms", () => {
    vi.useFakeTimers();
    const waiting = queue({ pending: [{}] });
    waiting.scheduleCheckPendingRequests();
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(9);
    expect(waiting.checkPendingRequests).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(waiting.checkPendingRequests).toHaveBeenCalledOnce();
  });

  it("keeps kafkajs' own schedule while throttled: checked when the throttle ends, pending or not", () => {
    vi.useFakeTimers();
    const throttled = queue({ throttledUntil: Date.now() + 250 });
    throttled.scheduleCheckPendingRequests();
    vi.advanceTimersByTime(249);
    expect(throttled.checkPendingRequests).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(throttled.checkPendingRequests).toHaveBeenCalledOnce();
  });
});
