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

/** Answers a `DomainError` thrown by an HTTP handler with its mapped status and a coded body. */
@Catch(DomainError)
export class DomainErrorHttpFilter implements ExceptionFilter<DomainError> {
  catch(error: DomainError, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const body: HttpErrorBody = { error: error.code, reason: error.reason, message: error.message };
    void reply
      .status(transportStatusOf(error.code).http)
      .send(Object.keys(error.details).length === 0 ? body : { ...body, details: error.details });
  }
}
