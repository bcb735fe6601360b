import type { Event } from '../generated/nest/kuroshio/ingest/v1/event.js';
import { dateFromTimestamp } from '../proto-time.js';
import type { Channel, EventType } from './envelope-fields.js';

const EVENT_TYPE_BY_PROTO: Readonly<Record<string, EventType>> = {
  EVENT_TYPE_TRACK: 'track',
  EVENT_TYPE_IDENTIFY: 'identify',
  EVENT_TYPE_PAGE: 'page',
  EVENT_TYPE_SCREEN: 'screen',
  EVENT_TYPE_GROUP: 'group',
  EVENT_TYPE_ALIAS: 'alias',
};

const CHANNEL_BY_PROTO: Readonly<Record<string, Channel>> = {
  CHANNEL_WEB: 'web',
  CHANNEL_APP: 'app',
  CHANNEL_LINE: 'line',
  CHANNEL_IOT: 'iot',
  CHANNEL_BRANCH: 'branch',
  CHANNEL_CALLCENTER: 'callcenter',
};

const OPTIONAL_STRINGS = ['event', 'userId', 'anonymousId', 'groupId', 'previousId', 'name', 'category'] as const;

/**
 * Turns a gRPC `kuroshio.ingest.v1.Event` into the JSON shape the HTTP API receives, so that one
 * validator (validateInboundEvent) judges both. proto3 cannot tell an empty string from an absent
 * one, so empty strings become absent; an unspecified type stays absent and is reported as such.
 */
export function inboundInputFromGrpcEvent(event: Event): Record<string, unknown> {
  const input: Record<string, unknown> = { messageId: event.messageId, type: EVENT_TYPE_BY_PROTO[event.type] };
  for (const field of OPTIONAL_STRINGS) {
    if (event[field] !== '') {
      input[field] = event[field];
    }
  }
  if (event.timestamp) {
    input['timestamp'] = isoOrInvalid(event.timestamp);
  }
  if (event.sentAt) {
    input['sentAt'] = isoOrInvalid(event.sentAt);
  }
  const channel = CHANNEL_BY_PROTO[event.channel];
  if (event.context || channel !== undefined) {
    input['context'] = channel === undefined ? event.context : { ...event.context, channel };
  }
  if (event.properties) {
    input['properties'] = event.properties;
  }
  if (event.traits) {
    input['traits'] = event.traits;
  }
  return input;
}

// An out-of-range Timestamp becomes a string the validator rejects, instead of a throw here.
function isoOrInvalid(timestamp: NonNullable<Event['timestamp']>): string {
  const date = dateFromTimestamp(timestamp);
  return Number.isNaN(date.getTime()) ? 'invalid timestamp' : date.toISOString();
}
