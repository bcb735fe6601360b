import type { CleanEvent } from '../domain/batch-outcome.js';

/** The JSON texts of an event's properties, context and traits, as ClickHouse and Parquet store them. */
export interface EventDocuments {
  readonly properties: string;
  readonly context: string;
  readonly traits: string;
}

// Both the warehouse row and the Parquet column need these texts; serialising once per event
// instead of once per sink was a measurable share of the per-event cost (0011-etl-scaling.md).
// The texts are memoised on the event under a private symbol, not in a WeakMap: a WeakMap entry
// per event is an ephemeron the garbage collector must revisit in every full collection, and
// batches hold thousands of events.
const DOCUMENTS = Symbol('event documents');

type WithDocuments = CleanEvent & { [DOCUMENTS]?: EventDocuments };

export function documentsOf(event: CleanEvent): EventDocuments {
  const memo = event as WithDocuments;
  let found = memo[DOCUMENTS];
  if (found === undefined) {
    const envelope = event.value.envelope;
    found = { properties: JSON.stringify(envelope.properties ?? {}), context: JSON.stringify(envelope.context), traits: JSON.stringify(envelope.traits ?? {}) };
    Object.defineProperty(memo, DOCUMENTS, { value: found, enumerable: false });
  }
  return found;
}
