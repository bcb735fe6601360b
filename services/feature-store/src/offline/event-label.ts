import { DomainError } from '@kuroshio/service-kit';
import { eventMatchesView, propertyAt } from '../views/event-matching.js';
import type { PropertyFilter } from '../views/feature-view.js';
import type { TimedViewEvent } from '../views/feature-value.js';
import type { LabelRow } from './label-rows.js';

const DAY_MS = 86_400_000;

/**
 * A label computed from events (proto EventLabel), e.g. "carrier-billing charge unpaid 30 days after
 * its due date": one row per anchor event, observed at the anchor's time; the label says whether an
 * outcome event of the same entity (and, with a correlation, about the same thing) happened between
 * the anchor and `deadline + outcomeWindow`.
 */
export interface EventLabelDefinition {
  readonly anchorEvent: string;
  readonly anchorFilters: readonly PropertyFilter[];
  readonly outcomeEvent: string;
  /** Ties an outcome to its anchor: the outcome's value at `outcomePath` equals, or (an array) contains, the anchor's at `anchorPath`. */
  readonly correlation?: { readonly anchorPath: string; readonly outcomePath: string };
  /** Anchor property holding the deadline (ISO-8601 date or date-time); absent: the anchor's own time. */
  readonly deadlineProperty?: string;
  readonly outcomeWindowMs: number;
  readonly positiveWhen: 'outcome_present' | 'outcome_absent';
}

const PATH = /^[A-Za-z_$][A-Za-z0-9_$-]*(\.[A-Za-z_$][A-Za-z0-9_$-]*)*$/;

/**
 * The proto's `correlation_property`: `chargeId` (the same path on both events) or
 * `chargeId in chargeIds` (anchor path, then the outcome path that holds it). Empty: no correlation.
 */
export function parseCorrelation(text: string): EventLabelDefinition['correlation'] {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const match = /^(\S+)(?:\s+in\s+(\S+))?$/.exec(trimmed);
  const anchorPath = match?.[1];
  const outcomePath = match?.[2] ?? anchorPath;
  if (anchorPath === undefined || outcomePath === undefined || !PATH.test(anchorPath) || !PATH.test(outcomePath)) {
    throw new DomainError('INVALID_ARGUMENT', `correlation_property "${text}" must be "<path>" or "<anchor path> in <outcome path>"`, {
      reason: 'invalid_event_label',
    });
  }
  return { anchorPath, outcomePath };
}

export function assertPropertyPath(path: string, what: string): void {
  if (!PATH.test(path)) throw new DomainError('INVALID_ARGUMENT', `${what} "${path}" is not a dotted property path`, { reason: 'invalid_event_label' });
}

/** Deadline texts that are understood: a date, or a date-time with its zone (as JSON Schema `date` / `date-time`). */
export const DEADLINE_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2}))?$';
const DEADLINE = new RegExp(DEADLINE_PATTERN);

/**
 * The instant a deadline text stands for: a date (`2026-12-20`) is due until the end of that UTC day;
 * a date-time is that instant, to the second (ClickHouse 18.16 parses DateTime to seconds). Other
 * texts: undefined (the anchor is not labelled).
 */
export function deadlineMs(text: string): number | undefined {
  if (!DEADLINE.test(text)) return undefined;
  if (text.length === 10) {
    const start = Date.parse(`${text}T00:00:00Z`);
    return Number.isNaN(start) ? undefined : start + DAY_MS;
  }
  const instant = Date.parse(text);
  return Number.isNaN(instant) ? undefined : Math.floor(instant / 1000) * 1000;
}

/** JSON scalars a correlation value stands for: the value itself, or the elements of an array. */
function correlationKeys(value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.filter((item) => item !== null && ['string', 'number', 'boolean'].includes(typeof item)).map((item) => JSON.stringify(item));
}

export interface EventLabelWindow {
  /** Anchors from this instant on. */
  readonly startMs: number;
  /** Anchors before this instant. */
  readonly endMs: number;
  /** Only anchors whose `deadline + outcomeWindow` has passed by then are labelled (min(end, now)). */
  readonly cutoffMs: number;
}

/**
 * The definition executed event by event (the reference the ClickHouse SQL is tested against):
 * label rows from one entity's — or many entities' — events, in anchor order.
 */
export function evaluateEventLabel(definition: EventLabelDefinition, events: ReadonlyArray<TimedViewEvent & { readonly entityId: string }>, window: EventLabelWindow): LabelRow[] {
  const anchorView = { sourceEvents: [definition.anchorEvent], filters: definition.anchorFilters };
  const outcomeView = { sourceEvents: [definition.outcomeEvent], filters: [] };
  const rows: LabelRow[] = [];
  for (const anchor of events) {
    if (anchor.eventTimeMs < window.startMs || anchor.eventTimeMs >= window.endMs || !eventMatchesView(anchorView, anchor)) continue;
    let deadline = anchor.eventTimeMs;
    if (definition.deadlineProperty !== undefined) {
      const text = propertyAt(anchor.properties, definition.deadlineProperty);
      const parsed = typeof text === 'string' ? deadlineMs(text) : undefined;
      if (parsed === undefined) continue;
      deadline = parsed;
    }
    const closesAt = deadline + definition.outcomeWindowMs;
    if (closesAt > window.cutoffMs) continue;
    let anchorKey: string | undefined;
    if (definition.correlation !== undefined) {
      const value = propertyAt(anchor.properties, definition.correlation.anchorPath);
      if (value === undefined || value === null) continue;
      anchorKey = JSON.stringify(value);
    }
    const outcome = events.some(
      (candidate) =>
        candidate.entityId === anchor.entityId &&
        candidate.eventTimeMs >= anchor.eventTimeMs &&
        candidate.eventTimeMs < closesAt &&
        eventMatchesView(outcomeView, candidate) &&
        (definition.correlation === undefined ||
          correlationKeys(propertyAt(candidate.properties, definition.correlation.outcomePath)).includes(anchorKey as string)),
    );
    const positive = definition.positiveWhen === 'outcome_present' ? outcome : !outcome;
    rows.push({ entityId: anchor.entityId, labelTimeMs: anchor.eventTimeMs, label: positive ? 1 : 0 });
  }
  return rows;
}
