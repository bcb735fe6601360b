import { Injectable } from '@nestjs/common';
import { defineCounter, defineGauge, defineHistogram } from '@kuroshio/telemetry';
import type { IngestMetrics, RequestRefusal } from '../ingest/ingest-metrics.js';
import type { RejectionCode } from '../ingest/event-preparation.js';

const events = defineCounter<'source' | 'outcome' | 'reason'>({
  name: 'collector_events_total',
  help: 'Events by source and outcome (accepted, or rejected with the reason)',
  labelNames: ['source', 'outcome', 'reason'],
});
const requestDuration = defineHistogram<'transport' | 'route' | 'status'>({
  name: 'collector_request_duration_seconds',
  help: 'Ingest request latency, from arrival to answer (includes waiting for the Kafka ack)',
  labelNames: ['transport', 'route', 'status'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});
const inFlightEvents = defineGauge({ name: 'collector_in_flight_events', help: 'Accepted events waiting for the Kafka acknowledgement' });
const inFlightBytes = defineGauge({ name: 'collector_in_flight_bytes', help: 'Bytes held for events waiting for the Kafka acknowledgement' });
const kafkaSendDuration = defineHistogram<'outcome'>({
  name: 'collector_kafka_send_duration_seconds',
  help: 'Duration of one coalesced produce request to events.raw, until acks=all',
  labelNames: ['outcome'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
});
const kafkaBatchEvents = defineHistogram({
  name: 'collector_kafka_batch_events',
  help: 'Events per coalesced produce request',
  buckets: [1, 10, 50, 100, 500, 1_000, 2_500, 5_000, 10_000],
});

/** Prometheus side of the collector's metrics, on the process registry that /metrics renders. */
@Injectable()
export class CollectorMetrics implements IngestMetrics {
  accepted(source: string, count: number): void {
    events.inc({ source, outcome: 'accepted', reason: '' }, count);
  }

  rejected(source: string, reason: RejectionCode | RequestRefusal | 'unauthenticated', count: number): void {
    events.inc({ source, outcome: 'rejected', reason }, count);
  }

  inFlight(eventCount: number, byteCount: number): void {
    inFlightEvents.set(eventCount);
    inFlightBytes.set(byteCount);
  }

  request(transport: 'http' | 'grpc', route: string, status: string | number, seconds: number): void {
    requestDuration.observe({ transport, route, status: String(status) }, seconds);
  }

  kafkaSend(outcome: { events: number; durationMs: number; ok: boolean }): void {
    kafkaSendDuration.observe({ outcome: outcome.ok ? 'ok' : 'error' }, outcome.durationMs / 1000);
    kafkaBatchEvents.observe(outcome.events);
  }
}
