import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODE_METADATA, ERROR_REASON_METADATA } from '../errors/rpc-error-filter.js';
import { echo, healthStatus, reflectedServices } from '../testing/grpc-clients.js';
import { startTestService } from '../testing/test-service.js';

type Service = Awaited<ReturnType<typeof startTestService>>;
let service: Service;
let address: string;

beforeAll(async () => {
  service = await startTestService({ grpc: true });
  address = service.grpcAddress ?? '';
});
afterAll(async () => {
  await service.close();
});

async function eventually(assertion: () => Promise<void>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe('gRPC server of a service', () => {
  it('listens on loopback and serves the application service', async () => {
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(service.grpcServices).toEqual(['kuroshio.testing.v1.EchoService']);
    expect(await echo(address, 'hello')).toEqual({ text: 'hello' });
  });

  it('lists the service and grpc.health.v1.Health through reflection (grpcurl list)', async () => {
    expect(await reflectedServices(address)).toEqual(['grpc.health.v1.Health', 'kuroshio.testing.v1.EchoService']);
  });

  it('reports SERVING while ready and NOT_SERVING while a dependency is down', async () => {
    service.broker.reachable = true;
    await eventually(async () => {
      expect(await healthStatus(address, '')).toBe('SERVING');
      expect(await healthStatus(address, 'kuroshio.testing.v1.EchoService')).toBe('SERVING');
    });
    service.broker.reachable = false;
    // No /readyz probe here: the periodic re-evaluation alone must flip it.
    await eventually(async () => {
      expect(await healthStatus(address, '')).toBe('NOT_SERVING');
      expect(await healthStatus(address, 'kuroshio.testing.v1.EchoService')).toBe('NOT_SERVING');
    });
    service.broker.reachable = true;
    await eventually(async () => expect(await healthStatus(address, '')).toBe('SERVING'));
  });

  it('answers NOT_FOUND for a service it does not serve', async () => {
    await expect(healthStatus(address, 'kuroshio.other.v1.Nope')).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND });
  });

  it('maps a DomainError to its gRPC status with the code and reason in metadata', async () => {
    const error = (await echo(address, 'missing').catch((e: unknown) => e)) as ServiceError;
    expect(error.code).toBe(GrpcStatus.NOT_FOUND);
    expect(error.details).toBe('nothing to echo');
    expect(error.metadata.get(ERROR_CODE_METADATA)).toEqual(['NOT_FOUND']);
    expect(error.metadata.get(ERROR_REASON_METADATA)).toEqual(['echo_not_found']);
  });
});
