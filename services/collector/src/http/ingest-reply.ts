import type { ValidationIssue } from '@kuroshio/contracts';
import type { EventRejection } from '../ingest/event-preparation.js';

/** One rejected event in an HTTP answer. */
export interface RejectedEventBody {
  readonly index: number;
  readonly messageId?: string;
  readonly code: EventRejection['code'];
  readonly reason: string;
  readonly issues: readonly ValidationIssue[];
}

/**
 * The 200 answer of an ingest request: how many events Kafka acknowledged and each rejected one by
 * position. Segment SDKs look only at the status; a 200 with rejections still means "do not retry"
 * (resending an invalid event cannot make it valid).
 */
export interface IngestReplyBody {
  readonly success: true;
  readonly accepted: number;
  readonly rejected: readonly RejectedEventBody[];
}

export function rejectedEventBody(rejection: EventRejection, index = rejection.index): RejectedEventBody {
  return {
    index,
    ...(rejection.messageId === undefined ? {} : { messageId: rejection.messageId }),
    code: rejection.code,
    reason: rejection.reason,
    issues: rejection.issues,
  };
}
