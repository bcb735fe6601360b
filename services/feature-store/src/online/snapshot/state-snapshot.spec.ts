import { describe, expect, it } from 'vitest';
import { chargesView } from '../../testing/test-views.js';
import { ReplayFilter } from '../ingest/replay-filter.js';
import { OnlineState } from '../state/online-state.js';
import { decodeSnapshot, encodeSnapshot, readSnapshotHeader } from './state-snapshot.js';

const T = Date.UTC(2026, 2, 1);
const raw = (offset: number) => ({ topic: 'events.raw', partition: 4, offset: String(offset) });

function chargedState(): OnlineState {
  const state = new OnlineState([chargesView], { retentionSlackMs: 0 });
  state.apply({ entityId: 'c1', type: 'track', event: 'Carrier Billing Charge', timeMs: T - 1_000, properties: { currency: 'TWD', amount: 5 } }, T);
  return state;
}

/** The same snapshot as format 1 wrote it: no replay windows or coverage in the header, nothing after the heads. */
function asFormat1(buffer: Buffer): Buffer {
  const header = { ...readSnapshotHeader(buffer) } as Record<string, unknown>;
  const length = buffer.readUInt32BE(4);
  const body = buffer.subarray(8 + length + ((8 - ((8 + length) % 8)) % 8));
  delete header['replayWindows'];
  delete header['completeFromMs'];
  header['formatVersion'] = 1;
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const lengthBytes = Buffer.alloc(4);
  lengthBytes.writeUInt32BE(json.length);
  return Buffer.concat([buffer.subarray(0, 4), lengthBytes, json, Buffer.alloc((8 - ((8 + json.length) % 8)) % 8), body]);
}

describe('online-state snapshot', () => {
  it('keeps the replay windows and the coverage (format 2)', () => {
    const replays = new ReplayFilter();
    for (const offset of [7, 9]) replays.admit(1, raw(offset));
    const buffer = encodeSnapshot(chargedState(), 'clean', { '1': '2' }, T, { replays, completeFromMs: T - 5_000 });
    const { state, header, consumption } = decodeSnapshot(buffer, [chargesView], { retentionSlackMs: 0 });
    expect(header.formatVersion).toBe(2);
    expect(state.entityCount).toBe(1);
    expect(consumption.completeFromMs).toBe(T - 5_000);
    expect([7, 8, 9].map((offset) => consumption.replays.admit(1, raw(offset)))).toEqual([false, true, false]);
  });

  it('writes a complete state’s coverage as null and reads it back as complete', () => {
    const buffer = encodeSnapshot(chargedState(), 'clean', {}, T, { replays: new ReplayFilter(), completeFromMs: -Infinity });
    expect(readSnapshotHeader(buffer).completeFromMs).toBeNull();
    expect(decodeSnapshot(buffer, [chargesView], { retentionSlackMs: 0 }).consumption.completeFromMs).toBe(-Infinity);
  });

  it('restores a format-1 snapshot with no replay windows, taken as complete', () => {
    const replays = new ReplayFilter();
    const v2 = encodeSnapshot(chargedState(), 'clean', { '0': '3' }, T, { replays, completeFromMs: -Infinity });
    const { state, header, consumption } = decodeSnapshot(asFormat1(v2), [chargesView], { retentionSlackMs: 0 });
    expect(header.formatVersion).toBe(1);
    expect(header.offsets).toEqual({ '0': '3' });
    expect(state.entityCount).toBe(1);
    expect(consumption.replays.size).toBe(0);
    expect(consumption.completeFromMs).toBe(-Infinity);
  });

  it('refuses a snapshot cut inside its replay windows', () => {
    const replays = new ReplayFilter();
    replays.admit(0, raw(1));
    const buffer = encodeSnapshot(chargedState(), 'clean', {}, T, { replays, completeFromMs: -Infinity });
    expect(() => decodeSnapshot(buffer.subarray(0, buffer.length - 8), [chargesView], { retentionSlackMs: 0 })).toThrow(/snapshot is \d+ bytes, expected/);
  });
});
