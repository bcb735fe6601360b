import { kafkaConfig } from '@kuroshio/config';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bootstrapService } from './bootstrap-service.js';
import { healthStatus } from './testing/grpc-clients.js';
import { ECHO_PACKAGE, ECHO_PROTO, TestServiceModule, freePort } from './testing/test-service.js';

class ProcessExit extends Error {
  constructor(readonly code: number | string | null | undefined) {
    super(`process.exit(${String(code)})`);
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('bootstrapService', () => {
  it('with a bad config prints every bad key and exits 1 before Nest starts', async () => {
    vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw new ProcessExit(code);
    });
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    const started = bootstrapService({
      name: 'collector',
      httpPort: 7001,
      config: { kafka: kafkaConfig({ clientId: 'collector' }) },
      module: () => TestServiceModule,
      env: { HTTP_PORT: 'http', KAFKA_BROKERS: 'no-port', LOG_LEVEL: 'chatty', SHUTDOWN_TIMEOUT_MS: '5' },
    });
    await expect(started).rejects.toEqual(new ProcessExit(1));
    expect(stderr.join('').trimEnd().split('\n')).toEqual([
      'invalid configuration (4 keys):',
      '  HTTP_PORT: expected an integer',
      '  LOG_LEVEL: Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"|"silent"',
      '  SHUTDOWN_TIMEOUT_MS: expected an integer >= 100',
      '  KAFKA_BROKERS: expected host:port',
    ]);
  });

  it('starts a service with HTTP and gRPC from config defaults and env overrides', async () => {
    const grpcPort = await freePort();
    const service = await bootstrapService({
      name: 'echo',
      httpPort: 7001,
      config: { kafka: kafkaConfig({ clientId: 'echo' }) },
      module: (config) => {
        expect(config.kafka.clientId).toBe('echo');
        return TestServiceModule;
      },
      grpc: { package: ECHO_PACKAGE, protoPath: ECHO_PROTO, port: grpcPort },
      env: { HTTP_PORT: '0', LOG_LEVEL: 'silent' },
    });
    try {
      expect(service.config.service).toMatchObject({ name: 'echo', grpc: { host: '127.0.0.1', port: grpcPort } });
      expect((await fetch(`${service.httpUrl}/readyz`)).status).toBe(200);
      expect(await healthStatus(`127.0.0.1:${grpcPort}`, 'kuroshio.testing.v1.EchoService')).toBe('SERVING');
    } finally {
      await service.close();
    }
  });
});
