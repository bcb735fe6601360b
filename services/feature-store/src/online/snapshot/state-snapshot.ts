import { createHash } from 'node:crypto';
import type { FeatureView, ScalarValue } from '../../views/feature-view.js';
import { REPLAY_WINDOW_BYTES, ReplayFilter, type ReplayWindowRecord } from '../ingest/replay-filter.js';
import { EntityIndex } from '../state/entity-index.js';
import { OnlineState, type OnlineStateOptions } from '../state/online-state.js';
import { PAGE_SLOTS, SlotArena, type ArenaLayout } from '../state/slot-arena.js';
import { ValueDictionary } from '../state/value-dictionary.js';

const MAGIC = Buffer.from('KSOS'); // Kuroshio online state
/**
 * 2 adds `replayWindows` (their bitmaps after the heads arrays) and `completeFromMs`. A format-1
 * snapshot still restores: with no replay windows and an unknown coverage (taken as complete, what
 * format 1 assumed).
 */
const FORMAT_VERSION = 2;
const READABLE_VERSIONS = new Set([1, 2]);

/** Next offset to read per partition of the consumed topic: what the snapshot includes. */
export type PartitionOffsetMap = Readonly<Record<string, string>>;

export interface SnapshotHeader {
  readonly formatVersion: number;
  readonly createdAtMs: number;
  readonly topic: string;
  readonly offsets: PartitionOffsetMap;
  /** `name@version` and a fingerprint of its definition, in the order of the arrays; a snapshot of other definitions is not used. */
  readonly views: readonly (readonly [string, string])[];
  readonly arena: ArenaLayout;
  readonly entityIds: readonly (string | null)[];
  readonly dictionary: readonly ScalarValue[];
  /** Slots of each view's per-entity heads array. */
  readonly capacity: number;
  /** Format 2: the replay filter's windows, in the order of their bitmaps. */
  readonly replayWindows?: readonly ReplayWindowRecord[];
  /** Format 2: events from this instant on are all in the state; null when every event is. */
  readonly completeFromMs?: number | null;
}

/** What a snapshot keeps besides the state: how far events.clean was consumed, and how completely. */
export interface ConsumptionState {
  readonly replays: ReplayFilter;
  /** Events with a time from this instant on are all in the state; -Infinity when every event is. */
  readonly completeFromMs: number;
}

export function viewFingerprints(views: readonly FeatureView[]): [string, string][] {
  return views.map((view) => [`${view.name}@${view.version}`, createHash('sha256').update(JSON.stringify(view)).digest('hex')]);
}

/**
 * The whole state and the offsets it includes as one buffer: magic, header length, JSON header,
 * then the arena pages (the last one cut at its top) and each view's per-entity arrays.
 * Synchronous on purpose: no batch can be applied half-way through the copy.
 */
export function encodeSnapshot(
  state: OnlineState,
  topic: string,
  offsets: PartitionOffsetMap,
  createdAtMs: number,
  consumption: ConsumptionState = { replays: new ReplayFilter(), completeFromMs: -Infinity },
): Buffer {
  const parts = state.parts();
  const replays = consumption.replays.export();
  const layout = parts.arena.exportLayout();
  const capacity = parts.series[0]?.heads.length ?? 0;
  const header: SnapshotHeader = {
    formatVersion: FORMAT_VERSION,
    createdAtMs,
    topic,
    offsets,
    views: viewFingerprints(state.layouts.map((layout) => layout.view)),
    arena: layout,
    entityIds: parts.index.ids().map((id) => id ?? null),
    dictionary: parts.dictionary.values(),
    capacity,
    replayWindows: replays.records,
    completeFromMs: Number.isFinite(consumption.completeFromMs) ? consumption.completeFromMs : null,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const chunks: Uint8Array[] = [MAGIC, u32(headerBytes.length), headerBytes, Buffer.alloc(padTo8(8 + headerBytes.length))];
  parts.arena.pages.forEach((page, i) => {
    const used = i === parts.arena.pages.length - 1 ? layout.top : PAGE_SLOTS;
    chunks.push(bytesOf(page.subarray(0, used)));
  });
  for (const series of parts.series) chunks.push(bytesOf(series.heads));
  chunks.push(...replays.bitmaps);
  return Buffer.concat(chunks);
}

export function readSnapshotHeader(buffer: Buffer): SnapshotHeader {
  if (buffer.length < 8 || !buffer.subarray(0, 4).equals(MAGIC)) throw new Error('not an online-state snapshot');
  const length = buffer.readUInt32BE(4);
  const header = JSON.parse(buffer.subarray(8, 8 + length).toString('utf8')) as SnapshotHeader;
  if (!READABLE_VERSIONS.has(header.formatVersion)) throw new Error(`snapshot format ${header.formatVersion} is not one of ${[...READABLE_VERSIONS].join(', ')}`);
  return header;
}

/** Whether a snapshot was taken over exactly these view definitions. */
export function sameViews(header: SnapshotHeader, views: readonly FeatureView[]): boolean {
  const taken = new Map(header.views);
  const current = viewFingerprints(views);
  return current.length === taken.size && current.every(([key, fingerprint]) => taken.get(key) === fingerprint);
}

export function decodeSnapshot(
  buffer: Buffer,
  views: readonly FeatureView[],
  options: OnlineStateOptions,
): { state: OnlineState; header: SnapshotHeader; consumption: ConsumptionState } {
  const header = readSnapshotHeader(buffer);
  if (!sameViews(header, views)) throw new Error('snapshot was taken over other feature view definitions');
  const headerLength = buffer.readUInt32BE(4);
  let offset = 8 + headerLength + padTo8(8 + headerLength);
  const take = (slots: number): Float64Array => {
    const array = new Float64Array(slots);
    new Uint8Array(array.buffer).set(buffer.subarray(offset, offset + slots * 8));
    offset += slots * 8;
    return array;
  };
  const pages: Float64Array[] = [];
  for (let i = 0; i < header.arena.pageCount; i += 1) {
    const used = i === header.arena.pageCount - 1 ? header.arena.top : PAGE_SLOTS;
    const page = new Float64Array(PAGE_SLOTS);
    page.set(take(used));
    pages.push(page);
  }
  const byKey = new Map(header.views.map(([key]) => [key, { heads: take(header.capacity) }]));
  const series = views.map((view) => byKey.get(`${view.name}@${view.version}`)!);
  const replayWindows = header.replayWindows ?? [];
  const bitmaps = replayWindows.map(() => {
    const bitmap = Uint8Array.from(buffer.subarray(offset, offset + REPLAY_WINDOW_BYTES));
    offset += REPLAY_WINDOW_BYTES;
    return bitmap;
  });
  if (offset !== buffer.length) throw new Error(`snapshot is ${buffer.length} bytes, expected ${offset}`);
  const state = new OnlineState(views, options, {
    index: EntityIndex.restore(header.entityIds),
    arena: SlotArena.restore(pages, header.arena),
    dictionary: ValueDictionary.from(header.dictionary),
    series,
  });
  const completeFromMs = header.completeFromMs ?? -Infinity;
  return { state, header, consumption: { replays: ReplayFilter.restore(replayWindows, bitmaps), completeFromMs } };
}

function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}

/** Zero bytes that bring `length` to a multiple of 8. */
function padTo8(length: number): number {
  return (8 - (length % 8)) % 8;
}

function bytesOf(array: Float64Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}
