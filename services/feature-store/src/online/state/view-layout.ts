import type { Aggregation, FeatureDefinition, FeatureView } from '../../views/feature-view.js';
import { compileViewMatcher, type OnlineEvent } from './event-match.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/**
 * A bucket record starts with: the bucket's start, the next (older) record, capacity, event count;
 * records of HEADER_MIN_CAPACITY events or more then hold the latest event time and its row and one
 * header block per column (below) — the bucket's pre-aggregates; then come the rows. Small records
 * (most buckets of most customers hold one or two events) skip the headers: reading their one or
 * two rows is as cheap as reading a header, and a header would double their size.
 */
export const REC = { start: 0, next: 1, capacity: 2, count: 3, lastTime: 4, lastRow: 5, fixed: 6 } as const;
export const COMPACT_HEADER = 4;
export const HEADER_MIN_CAPACITY = 8;
/** Per column: contributing events, latest contributing time and its row; numeric columns add sum, min, max. */
export const COL = { n: 0, lastTime: 1, lastRow: 2, sum: 3, min: 4, max: 5 } as const;

/**
 * What a row keeps of a property (see `contributionOf` in views/feature-value.ts, the definition):
 * - numeric: the number (sum/avg/min/max), NaN when not a number;
 * - key: a code of its JSON text (distinct_count, and count/days_since_last over a property), -1 when null or absent;
 * - string / number: a code of the value when a string / a number (last_value by its value type), else -1.
 */
export type ColumnKind = 'numeric' | 'key' | 'string' | 'number';

export interface ColumnSpec {
  readonly property: string;
  readonly kind: ColumnKind;
  /** Slot of this column's header block inside a record. */
  readonly headerOffset: number;
}

export interface FeaturePlan {
  readonly definition: FeatureDefinition;
  readonly aggregation: Aggregation;
  readonly windowMs: number;
  /** Index into the row's value columns; -1 when every event of the view contributes. */
  readonly column: number;
  readonly numeric: boolean;
  /** Header block read for whole buckets: the column's, or the record's own count/lastTime/lastRow. */
  readonly headerOffset: number;
}

/**
 * Bucket length: one hour for views whose shortest window is under two days, else one day. Buckets
 * only decide how much is pre-aggregated — reads stay exact at millisecond precision because the
 * (at most two) buckets cut by a window edge are read event by event from their rows.
 */
export function bucketLengthFor(view: FeatureView): number {
  const shortest = Math.min(...view.features.map((feature) => feature.windowMs));
  return shortest < 2 * DAY_MS ? HOUR_MS : DAY_MS;
}

function columnKindOf(definition: FeatureDefinition): ColumnKind | undefined {
  if (definition.property === undefined) return undefined;
  switch (definition.aggregation) {
    case 'sum':
    case 'avg':
    case 'min':
    case 'max':
      return 'numeric';
    case 'last_value':
      return definition.valueType === 'string' ? 'string' : 'number';
    case 'distinct_count':
    case 'count':
    case 'days_since_last':
      return 'key';
  }
}

/** A feature view compiled for the online state: which properties to keep per event and where. */
export class ViewLayout {
  readonly key: string;
  readonly bucketMs: number;
  readonly maxWindowMs: number;
  readonly columns: readonly ColumnSpec[];
  readonly headerSize: number;
  /** Slots per row: the event time, then one value per column. */
  readonly rowStride: number;
  readonly matches: (event: OnlineEvent) => boolean;
  readonly #features = new Map<string, FeaturePlan>();

  constructor(readonly view: FeatureView) {
    this.key = viewKey(view.name, view.version);
    this.bucketMs = bucketLengthFor(view);
    this.maxWindowMs = Math.max(...view.features.map((feature) => feature.windowMs));
    this.matches = compileViewMatcher(view);
    const columns: ColumnSpec[] = [];
    const columnIndex = new Map<string, number>();
    let headerOffset: number = REC.fixed;
    const columnFor = (property: string, kind: ColumnKind): number => {
      const id = `${kind}:${property}`;
      const existing = columnIndex.get(id);
      if (existing !== undefined) return existing;
      columns.push({ property, kind, headerOffset });
      headerOffset += kind === 'numeric' ? 6 : 3;
      columnIndex.set(id, columns.length - 1);
      return columns.length - 1;
    };
    for (const definition of view.features) {
      const kind = columnKindOf(definition);
      if (kind === undefined && !(definition.aggregation === 'count' || definition.aggregation === 'days_since_last')) {
        throw new Error(`feature ${view.name}.${definition.name}: ${definition.aggregation} needs a property`);
      }
      const column = kind === undefined ? -1 : columnFor(definition.property!, kind);
      this.#features.set(definition.name, {
        definition,
        aggregation: definition.aggregation,
        windowMs: definition.windowMs,
        column,
        numeric: kind === 'numeric',
        // The record's own count/lastTime/lastRow are laid out like a column block.
        headerOffset: column === -1 ? REC.count : columns[column]!.headerOffset,
      });
    }
    this.columns = columns;
    this.headerSize = headerOffset;
    this.rowStride = 1 + columns.length;
  }

  feature(name: string): FeaturePlan | undefined {
    return this.#features.get(name);
  }

  /** Where a record's rows begin: after the full header, or after the first four slots of a small record. */
  rowsOffset(capacity: number): number {
    return capacity >= HEADER_MIN_CAPACITY ? this.headerSize : COMPACT_HEADER;
  }

  recordSize(capacity: number): number {
    return this.rowsOffset(capacity) + capacity * this.rowStride;
  }
}

export function viewKey(name: string, version: number): string {
  return `${name}@${version}`;
}
