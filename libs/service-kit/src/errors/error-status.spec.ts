import { status as GrpcStatus } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from './error-code.js';
import { transportStatusOf } from './error-status.js';
import { assertUnreachable } from './assert-unreachable.js';

describe('transportStatusOf', () => {
  it('maps every code to an HTTP error status and a non-OK gRPC status', () => {
    for (const code of ERROR_CODES) {
      const { http, grpc } = transportStatusOf(code);
      expect(http, code).toBeGreaterThanOrEqual(400);
      expect(http, code).toBeLessThan(600);
      expect(grpc, code).not.toBe(GrpcStatus.OK);
      expect(grpc, code).not.toBe(GrpcStatus.UNKNOWN);
    }
  });

  it.each([
    ['INVALID_ARGUMENT', 400, GrpcStatus.INVALID_ARGUMENT],
    ['UNAUTHENTICATED', 401, GrpcStatus.UNAUTHENTICATED],
    ['NOT_FOUND', 404, GrpcStatus.NOT_FOUND],
    ['ALREADY_EXISTS', 409, GrpcStatus.ALREADY_EXISTS],
    ['PAYLOAD_TOO_LARGE', 413, GrpcStatus.RESOURCE_EXHAUSTED],
    ['UNAVAILABLE', 503, GrpcStatus.UNAVAILABLE],
  ] as const)('%s -> HTTP %i, gRPC %i', (code, http, grpc) => {
    expect(transportStatusOf(code)).toEqual({ http, grpc });
  });

  it('assertUnreachable throws if reached at run time', () => {
    expect(() => assertUnreachable('SURPRISE' as never)).toThrow('unreachable: SURPRISE');
  });
});
