import { DomainError } from '@kuroshio/service-kit';

/** One observation of a training set: features see only events strictly before `labelTimeMs`. */
export interface LabelRow {
  readonly entityId: string;
  readonly labelTimeMs: number;
  readonly label: number;
}

/** Half-open [startMs, endMs); an absent bound is open. */
export interface TimeRangeMs {
  readonly startMs?: number;
  readonly endMs?: number;
}

/**
 * Label rows in training-set order — by entity, then label time (then as given) — held as columns,
 * because a training set has millions of them. Row ids are positions in this order.
 */
export interface LabelRowSet {
  readonly length: number;
  readonly entityIds: readonly string[];
  readonly labelTimesMs: Float64Array;
  readonly labels: Float64Array;
}

const MAX_ENTITY_ID_LENGTH = 512;
const MAX_ERRORS_REPORTED = 10;

/** Why a row cannot be used, or undefined when it can. */
export function labelRowProblem(row: { entityId: unknown; labelTimeMs: unknown; label: unknown }): string | undefined {
  if (typeof row.entityId !== 'string' || row.entityId.length === 0 || row.entityId.length > MAX_ENTITY_ID_LENGTH) {
    return `entity_id must be a non-empty string of at most ${MAX_ENTITY_ID_LENGTH} characters`;
  }
  if (typeof row.labelTimeMs !== 'number' || !Number.isSafeInteger(row.labelTimeMs) || row.labelTimeMs < 0) return 'timestamp must be an instant after 1970';
  if (typeof row.label !== 'number' || !Number.isFinite(row.label)) return 'label must be a finite number';
  return undefined;
}

/** Throws INVALID_ARGUMENT naming the first problems (by row index) when any row is unusable. */
export function assertLabelRows(rows: readonly LabelRow[], describe: (index: number) => string = (index) => `row ${index}`): void {
  const problems: string[] = [];
  let count = 0;
  rows.forEach((row, index) => {
    const problem = labelRowProblem(row);
    if (problem === undefined) return;
    count += 1;
    if (problems.length < MAX_ERRORS_REPORTED) problems.push(`${describe(index)}: ${problem}`);
  });
  if (count > 0) {
    throw new DomainError('INVALID_ARGUMENT', `${count} unusable label row(s): ${problems.join('; ')}${count > problems.length ? '; …' : ''}`, {
      reason: 'invalid_label_rows',
      details: { invalidRows: count },
    });
  }
}

export function inTimeRange(timeMs: number, range: TimeRangeMs | undefined): boolean {
  return range === undefined || ((range.startMs === undefined || timeMs >= range.startMs) && (range.endMs === undefined || timeMs < range.endMs));
}

/** Keeps the rows inside `range` and puts them in training-set order. */
export function labelRowSet(rows: readonly LabelRow[], range?: TimeRangeMs): LabelRowSet {
  const kept: number[] = [];
  rows.forEach((row, index) => {
    if (inTimeRange(row.labelTimeMs, range)) kept.push(index);
  });
  // Array.prototype.sort is stable: equal (entity, time) keep their given order.
  kept.sort((a, b) => {
    const x = rows[a] as LabelRow;
    const y = rows[b] as LabelRow;
    if (x.entityId !== y.entityId) return x.entityId < y.entityId ? -1 : 1;
    return x.labelTimeMs - y.labelTimeMs;
  });
  const labelTimesMs = new Float64Array(kept.length);
  const labels = new Float64Array(kept.length);
  const entityIds = kept.map((index, position) => {
    const row = rows[index] as LabelRow;
    labelTimesMs[position] = row.labelTimeMs;
    labels[position] = row.label;
    return row.entityId;
  });
  return { length: kept.length, entityIds, labelTimesMs, labels };
}

/** Parses `timestamp` of an NDJSON label row: ISO-8601 text or epoch milliseconds. */
function timestampMs(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/**
 * Label rows from NDJSON (`{"entity_id": "...", "timestamp": "2026-11-01T00:00:00Z" | 1761955200000, "label": 1}`
 * per line; blank lines ignored). Throws INVALID_ARGUMENT naming the first bad lines.
 */
export function parseLabelRowsNdjson(text: string): LabelRow[] {
  const rows: LabelRow[] = [];
  const problems: string[] = [];
  let bad = 0;
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let problem: string | undefined;
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        problem = 'not a JSON object';
      } else {
        const fields = parsed as Record<string, unknown>;
        const row = { entityId: fields['entity_id'], labelTimeMs: timestampMs(fields['timestamp']), label: fields['label'] };
        problem = labelRowProblem(row);
        if (problem === undefined) rows.push(row as LabelRow);
      }
    } catch {
      problem = 'not JSON';
    }
    if (problem !== undefined) {
      bad += 1;
      if (problems.length < MAX_ERRORS_REPORTED) problems.push(`line ${index + 1}: ${problem}`);
    }
  });
  if (bad > 0) {
    throw new DomainError('INVALID_ARGUMENT', `${bad} unusable label line(s): ${problems.join('; ')}${bad > problems.length ? '; …' : ''}`, {
      reason: 'invalid_label_rows',
      details: { invalidRows: bad },
    });
  }
  return rows;
}
