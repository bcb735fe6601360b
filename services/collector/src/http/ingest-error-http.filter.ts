import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError, DomainErrorHttpFilter } from '@kuroshio/service-kit';
import { retryAfterOf } from '../ingest/ingest-errors.js';

/**
 * The service-kit mapping plus `Retry-After` on refusals that a later retry will get through
 * (429 rate limit, 503 overload or Kafka unavailable): Segment SDKs retry 429 and 5xx with backoff.
 */
@Catch(DomainError)
export class IngestErrorHttpFilter implements ExceptionFilter<DomainError> {
  readonly #mapped = new DomainErrorHttpFilter();

  catch(error: DomainError, host: ArgumentsHost): void {
    const retryAfter = retryAfterOf(error);
    if (retryAfter !== undefined) host.switchToHttp().getResponse<FastifyReply>().header('retry-after', String(retryAfter));
    this.#mapped.catch(error, host);
  }
}
