import { eventMatchesView } from '../../views/event-matching.js';
import type { FeatureView } from '../../views/feature-view.js';

/** One clean event as the online state sees it: who, what, when, and its properties. */
export interface OnlineEvent {
  /** The customer: userId, else anonymousId (already tokenised by the ETL). */
  readonly entityId: string;
  /** `type`, and for `track` messages the event name. */
  readonly type: string;
  readonly event: string | undefined;
  readonly timeMs: number;
  readonly properties: Readonly<Record<string, unknown>> | undefined;
}

/** Whether an event feeds a view — the views' own rule (`views/event-matching.ts`), shared with the offline path. */
export function compileViewMatcher(view: FeatureView): (event: OnlineEvent) => boolean {
  return (event) => eventMatchesView(view, { type: event.type, event: event.event ?? '', properties: event.properties });
}
