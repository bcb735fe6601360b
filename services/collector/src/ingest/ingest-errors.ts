import { DomainError } from '@kuroshio/service-kit';

/** `details.retryAfterSeconds` becomes the Retry-After header of an HTTP answer (service-kit's HTTP error mapping). */
export interface RetryAdvice {
  readonly retryAfterSeconds: number;
}

export function rateLimited(source: string, retryAfterMs: number): DomainError {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new DomainError('RESOURCE_EXHAUSTED', `rate limit of source ${source} exceeded`, {
    reason: 'rate_limited',
    details: { retryAfterSeconds } satisfies RetryAdvice,
  });
}

export function overloaded(retryAfterSeconds: number): DomainError {
  return new DomainError('UNAVAILABLE', 'the collector is at its in-flight limit; retry later', {
    reason: 'overloaded',
    details: { retryAfterSeconds } satisfies RetryAdvice,
  });
}

export function kafkaUnavailable(retryAfterSeconds: number, cause: unknown): DomainError {
  return new DomainError('UNAVAILABLE', 'kafka did not acknowledge the events in time; retry with the same messageIds (duplicates are removed downstream)', {
    reason: 'kafka_unavailable',
    details: { retryAfterSeconds } satisfies RetryAdvice,
    cause,
  });
}

export function tooManyEvents(count: number, max: number): DomainError {
  return new DomainError('INVALID_ARGUMENT', `${count} events in one request; at most ${max} allowed`, {
    reason: 'too_many_events',
    details: { maxEvents: max },
  });
}
