import type { PreparedRecord } from './event-preparation.js';

/** Where accepted events go: resolves only once every record is durably held (Kafka acks=all). */
export interface EventSink {
  publish(records: readonly PreparedRecord[]): Promise<void>;
}
