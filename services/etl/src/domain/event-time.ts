export interface EventTimeSettings {
  readonly lateAfterMs: number;
  readonly futureToleranceMs: number;
}

export interface EventTime {
  /** UTC instant the event happened, corrected for the device clock. */
  readonly eventTime: Date;
  /** receivedAt − sentAt: how far the device clock was behind (positive) or ahead (negative). */
  readonly clockSkewMs: number;
  /** Arrived more than `lateAfterMs` after it happened. */
  readonly late: boolean;
  /** Still after receivedAt once corrected (beyond the tolerance), so clamped to receivedAt. */
  readonly future: boolean;
  /** Before any event the platform can have seen (an unset device clock): the event is rejected. */
  readonly implausible: boolean;
}

// Devices with an unset clock report 1970; nothing before this instant is a real channel event, and
// ClickHouse's DateTime cannot hold instants before 1970 at all.
export const EARLIEST_PLAUSIBLE_EVENT = Date.parse('2000-01-01T00:00:00Z');

/**
 * Segment's rule: a device's timestamp is shifted by the difference between the server's and the
 * device's clock at send time, timestamp + (receivedAt − sentAt). Without sentAt there is nothing to
 * correct with; without a timestamp the event happened when it was sent (or received).
 */
export function settleEventTime(
  fields: { timestamp?: string | undefined; sentAt?: string | undefined; receivedAt: string },
  settings: EventTimeSettings,
): EventTime {
  const receivedAt = Date.parse(fields.receivedAt);
  const sentAt = fields.sentAt === undefined ? undefined : Date.parse(fields.sentAt);
  const clockSkewMs = sentAt === undefined ? 0 : receivedAt - sentAt;
  const deviceTime = fields.timestamp === undefined ? (sentAt ?? receivedAt) : Date.parse(fields.timestamp);
  let corrected = deviceTime + clockSkewMs;
  const future = corrected - receivedAt > settings.futureToleranceMs;
  if (future) corrected = receivedAt;
  const late = receivedAt - corrected > settings.lateAfterMs;
  return { eventTime: new Date(corrected), clockSkewMs, late, future, implausible: corrected < EARLIEST_PLAUSIBLE_EVENT };
}
