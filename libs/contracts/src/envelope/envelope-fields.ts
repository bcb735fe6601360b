/** Segment call types. */
export const EVENT_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Customer channels (`context.channel`). */
export const CHANNELS = ['web', 'app', 'line', 'iot', 'branch', 'callcenter'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Tenant and source names end up in Kafka keys, S3 prefixes and ClickHouse values. */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
