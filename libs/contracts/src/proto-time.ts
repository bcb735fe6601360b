import type { Duration } from './generated/nest/google/protobuf/duration.js';
import type { Timestamp } from './generated/nest/google/protobuf/timestamp.js';

export type { Duration, Timestamp };

// Both generated trees represent google.protobuf.Timestamp and Duration as { seconds, nanos }
// (what @grpc/proto-loader hands NestJS); these convert at the edges of domain code.

export function timestampFromDate(date: Date): Timestamp {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) {
    throw new RangeError('invalid Date');
  }
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 };
}

export function dateFromTimestamp(timestamp: Timestamp): Date {
  return new Date(timestamp.seconds * 1000 + Math.floor(timestamp.nanos / 1_000_000));
}

export function durationFromMs(ms: number): Duration {
  if (!Number.isFinite(ms)) {
    throw new RangeError('duration must be finite');
  }
  // Seconds and nanos share the sign of the duration, as google/protobuf/duration.proto requires.
  const seconds = Math.trunc(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1_000_000) };
}

export function msFromDuration(duration: Duration): number {
  return duration.seconds * 1000 + duration.nanos / 1_000_000;
}
