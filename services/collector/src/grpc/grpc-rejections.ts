import { grpcNest } from '@kuroshio/contracts';
import { assertUnreachable } from '@kuroshio/service-kit';
import type { EventRejection, RejectionCode } from '../ingest/event-preparation.js';

type ProtoRejection = grpcNest.ingest.v1.EventRejection;
const ProtoCode = grpcNest.ingest.v1.RejectionCode;

function protoCodeOf(code: RejectionCode): grpcNest.ingest.v1.RejectionCode {
  switch (code) {
    case 'invalid_envelope':
      return ProtoCode.REJECTION_CODE_INVALID_ENVELOPE;
    case 'event_too_large':
      return ProtoCode.REJECTION_CODE_EVENT_TOO_LARGE;
    case 'channel_not_allowed':
      return ProtoCode.REJECTION_CODE_CHANNEL_NOT_ALLOWED;
    default:
      return assertUnreachable(code);
  }
}

export function protoRejection(rejection: EventRejection): ProtoRejection {
  return {
    index: rejection.index,
    messageId: rejection.messageId ?? '',
    code: protoCodeOf(rejection.code),
    reason: rejection.reason,
    issues: rejection.issues.map((issue) => ({ path: issue.path, code: issue.code, message: issue.message })),
  };
}
