import type { EventEnvelope } from './envelope-schema.js';

/**
 * The Kafka key of a customer event: the customer, so that one customer's events stay in order
 * on one partition (and in one feature-store shard). userId once known, else anonymousId.
 */
export function partitionKey(envelope: Pick<EventEnvelope, 'userId' | 'anonymousId'>): string {
  const key = envelope.userId ?? envelope.anonymousId;
  if (key === undefined || key === '') {
    throw new Error('envelope has neither userId nor anonymousId; validate it before producing');
  }
  return key;
}
