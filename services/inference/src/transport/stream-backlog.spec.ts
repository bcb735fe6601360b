import { describe, expect, it } from 'vitest';
import { StreamBacklog, type StreamTicket } from './stream-backlog.js';

const settled = async (ticket: StreamTicket): Promise<boolean> => {
  let started = false;
  void ticket.started.then(() => (started = true));
  await new Promise((resolve) => setImmediate(resolve));
  return started;
};

describe('StreamBacklog', () => {
  it('runs up to the concurrency, holds up to maxWaiting more, and refuses the rest', async () => {
    const backlog = new StreamBacklog({ concurrency: 2, maxWaiting: 3 });
    const tickets = Array.from({ length: 7 }, () => backlog.enter());
    expect(tickets.map((t) => t !== undefined)).toEqual([true, true, true, true, true, false, false]);
    expect([backlog.running, backlog.waiting]).toEqual([2, 3]);
    expect(await Promise.all(tickets.slice(0, 5).map((t) => settled(t!)))).toEqual([true, true, false, false, false]);
  });

  it('starts waiting requests in arrival order as slots free, and takes new ones once there is room', async () => {
    const backlog = new StreamBacklog({ concurrency: 1, maxWaiting: 2 });
    const [a, b, c] = [backlog.enter()!, backlog.enter()!, backlog.enter()!];
    expect(backlog.enter()).toBeUndefined();
    a.leave();
    expect([await settled(b), await settled(c)]).toEqual([true, false]);
    expect([backlog.running, backlog.waiting]).toEqual([1, 1]);
    const d = backlog.enter();
    expect(d).toBeDefined();
    b.leave();
    b.leave(); // idempotent: frees one slot, not two
    expect([await settled(c), await settled(d!)]).toEqual([true, false]);
    c.leave();
    d!.leave();
    expect([backlog.running, backlog.waiting]).toEqual([0, 0]);
  });

  it('forgets a waiting request whose stream went away, without starting it', async () => {
    const backlog = new StreamBacklog({ concurrency: 1, maxWaiting: 2 });
    const [a, b, c] = [backlog.enter()!, backlog.enter()!, backlog.enter()!];
    b.leave();
    expect(backlog.waiting).toBe(1);
    a.leave();
    expect([await settled(b), await settled(c)]).toEqual([false, true]);
    c.leave();
    expect([backlog.running, backlog.waiting]).toEqual([0, 0]);
  });
});
