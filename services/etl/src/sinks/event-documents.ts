import type { CleanEvent } from '../domain/batch-outcome.js';

/** The JSON texts of an event's properties, context and traits, as ClickHouse and Parquet store them. */
export interface EventDocuments {
  readonly properties: string;
  readonly context: string;
  readonly traits: string;
}

// Both the warehouse row and the Parquet column need these texts; serialising once per event
// instead of once per sink was a measurable share of the per-event cost (0011-etl-scaling.md).
const documents = new WeakMap<CleanEvent, EventDocuments>();

export function documentsOf(event: CleanEvent): EventDocuments {
  let found = documents.get(event);
  if (found === undefined) {
    const envelope = event.value.envelope;
    found = { properties: JSON.stringify(envelope.properties ?? {}), context: JSON.stringify(envelope.context), traits: JSON.stringify(envelope.traits ?? {}) };
    documents.set(event, found);
  }
  return found;
}
