import { EVENT_TYPES, type EventType } from './envelope-fields.js';

export interface TypeRuleIssue {
  field: string;
  code: 'required';
  message: string;
}

// Fields each Segment call cannot do without, beyond messageId and type.
const REQUIRED_BY_TYPE: Record<EventType, readonly string[]> = {
  track: ['event'],
  identify: [],
  page: [],
  screen: [],
  group: ['groupId'],
  alias: ['previousId', 'userId'],
};

/**
 * The Segment rules that depend on the call type, plus "some customer id". A field counts as
 * missing when absent or null; present-but-wrong values are the schema's to report.
 */
export function typeRuleIssues(input: unknown): TypeRuleIssue[] {
  if (typeof input !== 'object' || input === null) {
    return [];
  }
  const event = input as Record<string, unknown>;
  const type = event['type'];
  if (!isEventType(type)) {
    return [];
  }
  const issues: TypeRuleIssue[] = REQUIRED_BY_TYPE[type]
    .filter((field) => isMissing(event[field]))
    .map((field) => ({ field, code: 'required', message: `required for ${type}` }));
  const userIdReported = issues.some((issue) => issue.field === 'userId');
  if (!userIdReported && isMissing(event['userId']) && isMissing(event['anonymousId'])) {
    issues.push({ field: 'userId', code: 'required', message: 'userId or anonymousId is required' });
  }
  return issues;
}

function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}

function isMissing(value: unknown): boolean {
  return value === undefined || value === null;
}
