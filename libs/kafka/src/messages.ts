import type { Context } from '@opentelemetry/api';

export interface OutgoingMessage {
  /** The partition key; the platform keys customer events by userId, else anonymousId. */
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string>;
  partition?: number;
  /** Epoch milliseconds as a decimal string (kafkajs' representation). */
  timestamp?: string;
}

export interface DeliveryReport {
  topic: string;
  partition: number;
  /** Offset the broker assigned to the first record of this request on that partition. */
  baseOffset: string;
}

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: string;
  /** Context extracted from the record's `traceparent`, ready to parent the processing span. */
  traceContext: Context;
}

export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: readonly ConsumedMessage[];
  highWatermark: string;
  /**
   * Tells the coordinator this member is alive. The consumer already heartbeats on a timer while a
   * handler runs; a handler may call it between slow steps too.
   */
  heartbeat(): Promise<void>;
}

export type BatchHandler = (batch: ConsumedBatch) => Promise<void>;
