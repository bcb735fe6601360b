import { DomainError } from '@kuroshio/service-kit';
import { describe, expect, it } from 'vitest';
import type { ChangeStamp } from './change-log.js';
import { InMemoryChangeLog } from './in-memory-change-log.js';
import { LoggedState, type Decision } from './logged-state.js';

// A counter as the smallest control plane: each change adds to a total.
interface Added extends ChangeStamp {
  readonly amount: number;
}

interface Counter {
  total: number;
  lastSeq: number;
  lastTimeMs: number;
}

function applyAdded(state: Counter, change: Added): void {
  if (change.seq !== state.lastSeq + 1) throw new Error(`gap: expected ${state.lastSeq + 1}, got ${change.seq}`);
  state.total += change.amount;
  state.lastSeq = change.seq;
  state.lastTimeMs = Math.max(state.lastTimeMs, change.timeMs);
}

const alice = { actor: 'alice', reason: 'test' };
let ids = 0;

function counter(log: InMemoryChangeLog<Added>, clock: () => number = () => 1_000, readPageSize = 2, onApplied?: (change: Added) => void) {
  return new LoggedState<Counter, Added>({
    subject: 'the counter',
    log,
    state: { total: 0, lastSeq: 0, lastTimeMs: 0 },
    apply: applyAdded,
    ...(onApplied === undefined ? {} : { onApplied }),
    newEventId: () => `e${(ids += 1)}`,
    clock,
    readPageSize,
  });
}

const add =
  (amount: number) =>
  (_state: Counter, stamp: ChangeStamp): Decision<Added> =>
    amount === 0 ? { kind: 'unchanged' } : { kind: 'change', change: { ...stamp, amount } };

async function refusal(run: () => Promise<unknown>): Promise<DomainError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('LoggedState', () => {
  it('is UNAVAILABLE until rebuilt, then replays the whole log page by page', async () => {
    const log = new InMemoryChangeLog<Added>();
    const first = counter(log);
    expect((await refusal(() => first.mutate(alice, add(1), (s) => s.total))).code).toBe('UNAVAILABLE');
    expect(() => first.readable()).toThrow(/the counter is rebuilding/);
    await first.rebuild();
    for (const amount of [1, 2, 3, 4, 5]) await first.mutate(alice, add(amount), (s) => s.total);

    const second = counter(log);
    const seen: number[] = [];
    expect(await second.rebuild((state) => seen.push(state.total))).toBe(5);
    expect(second.readable().total).toBe(15);
    expect(seen).toEqual([15]);
    expect(log.reads).toBeGreaterThanOrEqual(3);
  });

  it('stamps each change with the next seq, the caller and a time that never goes back', async () => {
    const log = new InMemoryChangeLog<Added>();
    const times = [5_000, 4_000];
    const state = counter(log, () => times.shift() ?? 0);
    await state.rebuild();
    await state.mutate({ actor: 'bob', reason: 'why' }, add(1), () => undefined);
    await state.mutate(alice, add(1), () => undefined);
    expect(log.entries.map(({ seq, timeMs, actor, reason }) => ({ seq, timeMs, actor, reason }))).toEqual([
      { seq: 1, timeMs: 5_000, actor: 'bob', reason: 'why' },
      { seq: 2, timeMs: 5_000, actor: 'alice', reason: 'test' },
    ]);
  });

  it('logs nothing for an unchanged decision and answers with a null change', async () => {
    const log = new InMemoryChangeLog<Added>();
    const state = counter(log);
    await state.rebuild();
    expect(await state.mutate(alice, add(0), (s, change) => ({ total: s.total, change }))).toEqual({ total: 0, change: null });
    expect(log.entries).toEqual([]);
  });

  it('serialises concurrent changes: seqs never race', async () => {
    const log = new InMemoryChangeLog<Added>();
    const state = counter(log);
    await state.rebuild();
    const totals = await Promise.all(Array.from({ length: 20 }, () => state.mutate(alice, add(1), (s) => s.total)));
    expect(totals).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    expect(log.entries.map((change) => change.seq)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
  });

  it('after a write of unknown outcome reads the tail before deciding again: a landed change is not lost or doubled', async () => {
    const log = new InMemoryChangeLog<Added>();
    const state = counter(log);
    await state.rebuild();
    log.failNext('landed');
    const failed = await refusal(() => state.mutate(alice, add(10), (s) => s.total));
    expect(failed.code).toBe('UNAVAILABLE');
    expect(failed.reason).toBe('change_log_unavailable');
    expect(state.readable().total).toBe(0);
    expect(await state.mutate(alice, add(1), (s) => s.total)).toBe(11);
    expect(log.entries.map((change) => change.seq)).toEqual([1, 2]);

    log.failNext('lost');
    await refusal(() => state.mutate(alice, add(100), (s) => s.total));
    expect(await state.mutate(alice, add(1), (s) => s.total)).toBe(12);
    expect(log.entries.map((change) => change.seq)).toEqual([1, 2, 3]);
  });

  it('reads a row the client inserted twice as one change', async () => {
    const log = new InMemoryChangeLog<Added>();
    const writer = counter(log);
    await writer.rebuild();
    await writer.mutate(alice, add(3), () => undefined);
    log.entries.push(log.entries[0] as Added);
    await writer.mutate(alice, add(4), () => undefined);
    log.entries.sort((a, b) => a.seq - b.seq);

    const reader = counter(log, undefined, 5);
    expect(await reader.rebuild()).toBe(2);
    expect(reader.readable().total).toBe(7);
  });

  it('tells onApplied of every change applied after the replay, its own and one that landed despite a failed write, once each', async () => {
    const log = new InMemoryChangeLog<Added>();
    const earlier = counter(log);
    await earlier.rebuild();
    await earlier.mutate(alice, add(1), () => undefined);

    const applied: number[] = [];
    const state = counter(log, undefined, 2, (change) => applied.push(change.amount));
    await state.rebuild();
    expect(applied).toEqual([]);
    await state.mutate(alice, add(2), () => undefined);
    log.failNext('landed');
    await refusal(() => state.mutate(alice, add(10), () => undefined));
    log.failNext('lost');
    await refusal(() => state.mutate(alice, add(100), () => undefined));
    await state.mutate(alice, add(3), () => undefined);
    await state.mutate(alice, add(0), () => undefined);
    expect(applied).toEqual([2, 10, 3]);
    expect(state.readable().total).toBe(16);
  });
});
