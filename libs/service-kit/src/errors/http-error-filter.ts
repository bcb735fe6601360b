import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError } from './domain-error.js';
import { transportStatusOf } from './error-status.js';

export interface HttpErrorBody {
  readonly error: string;
  readonly reason: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * Answers a `DomainError` thrown by an HTTP handler with its mapped status and a coded body. A
 * refusal a later retry will get through (429, 503) says when in `details.retryAfterSeconds`, which
 * becomes the `Retry-After` header (Segment SDKs, among others, back off by it).
 */
@Catch(DomainError)
export class DomainErrorHttpFilter implements ExceptionFilter<DomainError> {
  catch(error: DomainError, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const retryAfter = error.details['retryAfterSeconds'];
    if (typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter > 0) reply.header('retry-after', String(Math.ceil(retryAfter)));
    const body: HttpErrorBody = { error: error.code, reason: error.reason, message: error.message };
    void reply
      .status(transportStatusOf(error.code).http)
      .send(Object.keys(error.details).length === 0 ? body : { ...body, details: error.details });
  }
}
