import type { RejectionCode } from './event-preparation.js';

/** What the ingest path counts; the Prometheus adapter lives in metrics/. */
export interface IngestMetrics {
  accepted(source: string, count: number): void;
  rejected(source: string, reason: RejectionCode | RequestRefusal, count: number): void;
  inFlight(events: number, bytes: number): void;
}

/** Whole requests refused before their events were judged one by one. */
export type RequestRefusal = 'rate_limited' | 'overloaded' | 'kafka_unavailable' | 'too_many_events';

export const NO_METRICS: IngestMetrics = {
  accepted: () => undefined,
  rejected: () => undefined,
  inFlight: () => undefined,
};
