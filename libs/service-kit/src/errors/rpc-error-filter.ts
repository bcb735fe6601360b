import { Metadata } from '@grpc/grpc-js';
import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';
import { DomainError } from './domain-error.js';
import { transportStatusOf } from './error-status.js';

/** Metadata keys under which a gRPC caller finds the error code and domain reason. */
export const ERROR_CODE_METADATA = 'kuroshio-error-code';
export const ERROR_REASON_METADATA = 'kuroshio-error-reason';

/** Turns a `DomainError` thrown by a gRPC handler into its mapped gRPC status (Nest would send UNKNOWN). */
@Catch(DomainError)
export class DomainErrorRpcFilter implements RpcExceptionFilter<DomainError> {
  catch(error: DomainError): Observable<never> {
    const metadata = new Metadata();
    metadata.set(ERROR_CODE_METADATA, error.code);
    metadata.set(ERROR_REASON_METADATA, error.reason);
    // grpc-js reads `code`, `details` and `metadata` off the error handed to the call's callback.
    return throwError(() => ({ code: transportStatusOf(error.code).grpc, details: error.message, message: error.message, metadata }));
  }
}
