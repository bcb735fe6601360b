import { status as GrpcStatus } from '@grpc/grpc-js';
import { HttpStatus } from '@nestjs/common';
import { assertUnreachable } from './assert-unreachable.js';
import type { ErrorCode } from './error-code.js';

export interface TransportStatus {
  readonly http: HttpStatus;
  readonly grpc: GrpcStatus;
}

/** The one place an error code becomes a status; the switch is exhaustive over `ErrorCode`. */
export function transportStatusOf(code: ErrorCode): TransportStatus {
  switch (code) {
    case 'INVALID_ARGUMENT':
      return { http: HttpStatus.BAD_REQUEST, grpc: GrpcStatus.INVALID_ARGUMENT };
    case 'UNAUTHENTICATED':
      return { http: HttpStatus.UNAUTHORIZED, grpc: GrpcStatus.UNAUTHENTICATED };
    case 'PERMISSION_DENIED':
      return { http: HttpStatus.FORBIDDEN, grpc: GrpcStatus.PERMISSION_DENIED };
    case 'NOT_FOUND':
      return { http: HttpStatus.NOT_FOUND, grpc: GrpcStatus.NOT_FOUND };
    case 'ALREADY_EXISTS':
      return { http: HttpStatus.CONFLICT, grpc: GrpcStatus.ALREADY_EXISTS };
    case 'ABORTED':
      return { http: HttpStatus.CONFLICT, grpc: GrpcStatus.ABORTED };
    case 'FAILED_PRECONDITION':
      return { http: HttpStatus.PRECONDITION_FAILED, grpc: GrpcStatus.FAILED_PRECONDITION };
    case 'PAYLOAD_TOO_LARGE':
      return { http: HttpStatus.PAYLOAD_TOO_LARGE, grpc: GrpcStatus.RESOURCE_EXHAUSTED };
    case 'RESOURCE_EXHAUSTED':
      return { http: HttpStatus.TOO_MANY_REQUESTS, grpc: GrpcStatus.RESOURCE_EXHAUSTED };
    case 'UNIMPLEMENTED':
      return { http: HttpStatus.NOT_IMPLEMENTED, grpc: GrpcStatus.UNIMPLEMENTED };
    case 'UNAVAILABLE':
      return { http: HttpStatus.SERVICE_UNAVAILABLE, grpc: GrpcStatus.UNAVAILABLE };
    case 'DEADLINE_EXCEEDED':
      return { http: HttpStatus.GATEWAY_TIMEOUT, grpc: GrpcStatus.DEADLINE_EXCEEDED };
    case 'INTERNAL':
      return { http: HttpStatus.INTERNAL_SERVER_ERROR, grpc: GrpcStatus.INTERNAL };
    default:
      return assertUnreachable(code);
  }
}
