import { DomainError } from '@kuroshio/service-kit';
import type { ObjectStore } from '@kuroshio/object-store';
import { readLabelRowsObject, type LabelRowsAccess } from './label-rows-object.js';
import type { EventLabelDefinition, EventLabelWindow } from './event-label.js';
import { eventLabelSql, type EventLabelSqlRow } from './event-label-sql.js';
import { assertLabelRows, parseLabelRowsNdjson, type LabelRow } from './label-rows.js';
import type { OfflineSource } from './point-in-time-engine.js';

/** Where the rows of a training set come from (proto LabelSource). */
export type LabelSpec =
  | { readonly kind: 'rows'; readonly rows: readonly LabelRow[] }
  | { readonly kind: 'rows_uri'; readonly uri: string; readonly bucket: string; readonly key: string }
  | { readonly kind: 'event'; readonly definition: EventLabelDefinition };

// Kept here for the transport, which builds a LabelSpec from the request.
export { parseRowsUri } from './label-rows-object.js';

export interface LabelRowsRead {
  readonly rows: readonly LabelRow[];
  /** What the manifest records as the label definition. */
  readonly description: Record<string, unknown>;
}

/**
 * The label rows of a spec. Event labels are computed in ClickHouse (eventLabelSql) and need the
 * export's window; the cutoff keeps anchors whose outcome could still happen out of the set.
 */
export async function readLabelRows(
  spec: LabelSpec,
  deps: { source: OfflineSource; store: ObjectStore; labelRows: LabelRowsAccess },
  window: EventLabelWindow | undefined,
): Promise<LabelRowsRead> {
  switch (spec.kind) {
    case 'rows':
      assertLabelRows(spec.rows);
      return { rows: spec.rows, description: { kind: 'rows', rowCount: spec.rows.length } };
    case 'rows_uri': {
      const body = await readLabelRowsObject(deps.store, deps.labelRows, spec.uri, spec.bucket, spec.key);
      const rows = parseLabelRowsNdjson(body.toString('utf8'));
      return { rows, description: { kind: 'rows_uri', uri: spec.uri, rowCount: rows.length } };
    }
    case 'event': {
      if (window === undefined) throw new DomainError('INVALID_ARGUMENT', 'event labels need a time_range with a start', { reason: 'time_range_required' });
      const found = await deps.source.clickhouse.query<EventLabelSqlRow>(eventLabelSql(deps.source.eventsTable, spec.definition, window));
      const positiveWhenPresent = spec.definition.positiveWhen === 'outcome_present';
      const rows = found.map((row) => ({
        entityId: row.entity_id,
        labelTimeMs: Number(row.label_time_ms),
        label: (Number(row.outcomes) > 0) === positiveWhenPresent ? 1 : 0,
      }));
      return { rows, description: { kind: 'event', ...spec.definition, cutoff: new Date(window.cutoffMs).toISOString() } };
    }
  }
}
