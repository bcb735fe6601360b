/**
 * Broker answers after which the producer id's sequence numbers cannot be trusted any more. kafkajs
 * rolls a partition's sequence back whenever a produce request fails, even one the broker did
 * write (e.g. around a broker restart); the broker then refuses every later batch, and kafkajs
 * treats these answers as non-retriable without ever asking for a new producer id.
 */
const LOST_SESSION_TYPES = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'DUPLICATE_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
]);

/** True when only a new producer id (a new kafkajs producer) can produce again. */
export function needsNewProducerId(error: unknown): boolean {
  // kafkajs' retrier wraps the broker's error in KafkaJSNonRetriableError with the original as cause.
  for (let current = error, depth = 0; current instanceof Error && depth < 8; current = current.cause, depth += 1) {
    const type = (current as { type?: unknown }).type;
    if (typeof type === 'string' && LOST_SESSION_TYPES.has(type)) {
      return true;
    }
  }
  return false;
}
