import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { assertUnreachable } from './assert-unreachable.js';
import { DomainError } from './domain-error.js';
import { DomainErrorHttpFilter } from './http-error-filter.js';
import { DomainErrorRpcFilter } from './rpc-error-filter.js';

/**
 * The global filter of a service. Nest fixes a microservice's filters when it is connected, so HTTP
 * and gRPC share the application's global filters (`inheritAppConfig`), and this one hands each
 * `DomainError` to the mapper of the transport it came through.
 */
@Catch(DomainError)
export class DomainErrorFilter implements ExceptionFilter<DomainError> {
  readonly #http = new DomainErrorHttpFilter();
  readonly #rpc = new DomainErrorRpcFilter();

  catch(error: DomainError, host: ArgumentsHost): void | Observable<never> {
    const transport = host.getType<'http' | 'rpc' | 'ws'>();
    switch (transport) {
      case 'http':
        return this.#http.catch(error, host);
      case 'rpc':
        return this.#rpc.catch(error);
      case 'ws':
        // No service speaks WebSocket; a gateway added later needs its own mapping.
        throw error;
      default:
        return assertUnreachable(transport);
    }
  }
}
