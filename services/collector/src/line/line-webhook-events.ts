import { DomainError } from '@kuroshio/service-kit';

/** LINE webhook event types the platform records, and the Segment event name each becomes. */
export const LINE_EVENT_NAMES = {
  message: 'LINE Message Received',
  follow: 'LINE Followed',
  unfollow: 'LINE Unfollowed',
  postback: 'LINE Postback Received',
} as const;

export interface MappedLineEvents {
  /** Segment-shaped track events, still to be validated like any client event. */
  readonly events: unknown[];
  /** For each mapped event, its position in the webhook's `events` array. */
  readonly positions: number[];
  /** Positions of events of other types (join, leave, beacon, unsend, ...), deliberately not recorded. */
  readonly skipped: { index: number; type: string }[];
}

/**
 * Maps a LINE Messaging API webhook body to track events with `context.channel = "line"`. The
 * messageId is LINE's `webhookEventId`, which stays the same when LINE redelivers, so the ETL's
 * dedup drops redeliveries. Malformed events are mapped as far as they go and left to the
 * envelope validator to reject with a reason.
 */
export function mapLineWebhook(body: unknown): MappedLineEvents {
  if (!isObject(body) || !Array.isArray(body['events'])) {
    throw new DomainError('INVALID_ARGUMENT', 'a LINE webhook body is an object with an "events" array', { reason: 'invalid_webhook_body' });
  }
  const destination = typeof body['destination'] === 'string' ? body['destination'] : undefined;
  const mapped: MappedLineEvents = { events: [], positions: [], skipped: [] };
  body['events'].forEach((raw: unknown, index: number) => {
    const type = isObject(raw) && typeof raw['type'] === 'string' ? raw['type'] : 'unknown';
    if (!isObject(raw) || !isMappedType(type)) {
      mapped.skipped.push({ index, type: type.slice(0, 64) });
      return;
    }
    mapped.events.push(trackEventOf(raw, type, destination));
    mapped.positions.push(index);
  });
  return mapped;
}

type MappedType = keyof typeof LINE_EVENT_NAMES;

function isMappedType(type: string): type is MappedType {
  return Object.hasOwn(LINE_EVENT_NAMES, type);
}

function trackEventOf(event: Record<string, unknown>, type: MappedType, destination: string | undefined): Record<string, unknown> {
  const source = isObject(event['source']) ? event['source'] : {};
  const delivery = isObject(event['deliveryContext']) ? event['deliveryContext'] : {};
  const timestamp = event['timestamp'];
  return {
    messageId: event['webhookEventId'],
    type: 'track',
    event: LINE_EVENT_NAMES[type],
    userId: source['userId'],
    timestamp: typeof timestamp === 'number' && Number.isFinite(timestamp) ? isoOrInvalid(timestamp) : timestamp,
    context: {
      channel: 'line',
      line: withoutUndefined({
        destination,
        mode: event['mode'],
        isRedelivery: delivery['isRedelivery'],
        sourceType: source['type'],
        groupId: source['groupId'],
        roomId: source['roomId'],
      }),
    },
    properties: propertiesOf(event, type),
  };
}

function propertiesOf(event: Record<string, unknown>, type: MappedType): Record<string, unknown> {
  switch (type) {
    case 'message': {
      const message = isObject(event['message']) ? event['message'] : {};
      return withoutUndefined({
        messageType: message['type'],
        lineMessageId: message['id'],
        text: message['type'] === 'text' ? message['text'] : undefined,
        packageId: message['type'] === 'sticker' ? message['packageId'] : undefined,
        stickerId: message['type'] === 'sticker' ? message['stickerId'] : undefined,
      });
    }
    case 'postback': {
      const postback = isObject(event['postback']) ? event['postback'] : {};
      return withoutUndefined({ data: postback['data'], params: postback['params'] });
    }
    case 'follow': {
      const follow = isObject(event['follow']) ? event['follow'] : {};
      return withoutUndefined({ isUnblocked: follow['isUnblocked'] });
    }
    case 'unfollow':
      return {};
  }
}

// An out-of-range epoch becomes a string the validator rejects rather than a RangeError here.
function isoOrInvalid(epochMs: number): string {
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? 'invalid timestamp' : date.toISOString();
}

function withoutUndefined(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
