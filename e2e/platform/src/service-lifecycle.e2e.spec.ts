import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES, UNREACHABLE } from './services.js';
import { runToExit, startService, waitForHttp, type ServiceProcess } from './service-process.js';

const grpcurl = (...args: string[]) =>
  promisify(execFile)('.tools/bin/grpcurl', ['-plaintext', ...args], { cwd: new URL('../../../', import.meta.url) });

async function readiness(port: number) {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function waitUntilReady(port: number, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last = await readiness(port);
  while (last.status !== 200 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    last = await readiness(port);
  }
  return last;
}

describe.each(SERVICES)('$name with its dependencies up', (svc) => {
  let running: ServiceProcess;
  beforeAll(async () => {
    running = startService(svc.name, {});
    await waitForHttp(`http://127.0.0.1:${svc.httpPort}/healthz`, running);
  });
  afterAll(async () => {
    expect(await running.stop()).toBe(0);
  });

  it('is live and ready, each dependency reported up', async () => {
    expect((await fetch(`http://127.0.0.1:${svc.httpPort}/healthz`)).status).toBe(200);
    const ready = await waitUntilReady(svc.httpPort);
    expect(ready.status, JSON.stringify(ready.body)).toBe(200);
    for (const dependency of svc.dependencies) expect(JSON.stringify(ready.body)).toContain(dependency);
  });

  it('exports Prometheus metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${svc.httpPort}/metrics`)).text();
    expect(text).toContain('process_cpu_seconds_total');
  });

});

describe.each(SERVICES.filter((svc) => svc.grpc !== undefined))('$name over gRPC', (svc) => {
  const grpc = svc.grpc!;
  let running: ServiceProcess;
  beforeAll(async () => {
    running = startService(svc.name, {});
    await waitForHttp(`http://127.0.0.1:${svc.httpPort}/healthz`, running);
    await waitUntilReady(svc.httpPort);
  });
  afterAll(async () => {
    expect(await running.stop()).toBe(0);
  });

  it('lists its service and grpc.health.v1.Health through server reflection (grpcurl)', async () => {
    const { stdout } = await grpcurl(`127.0.0.1:${grpc.port}`, 'list');
    expect(stdout.split('\n')).toEqual(expect.arrayContaining([grpc.service, 'grpc.health.v1.Health']));
  });

  it('answers SERVING to the standard health check', async () => {
    const { stdout } = await grpcurl('-d', '{"service":""}', `127.0.0.1:${grpc.port}`, 'grpc.health.v1.Health/Check');
    expect(JSON.parse(stdout)).toEqual({ status: 'SERVING' });
  });

  it('describes every message of its API, well-known types included', async () => {
    const { stdout } = await grpcurl(`127.0.0.1:${grpc.port}`, 'describe', grpc.service);
    expect(stdout).toContain(`${grpc.service} is a service`);
  });
});

describe.each(SERVICES)('$name with a dependency down', (svc) => {
  const missing = svc.dependencies[svc.dependencies.length - 1]!;
  it(`answers /readyz 503 naming ${missing}, while /healthz stays 200`, async () => {
    const running = startService(svc.name, UNREACHABLE[missing]);
    try {
      await waitForHttp(`http://127.0.0.1:${svc.httpPort}/healthz`, running);
      expect((await fetch(`http://127.0.0.1:${svc.httpPort}/healthz`)).status).toBe(200);
      const ready = await readiness(svc.httpPort);
      expect(ready.status).toBe(503);
      expect(JSON.stringify(ready.body)).toContain(missing);
    } finally {
      await running.stop();
    }
  });
});

describe.each(SERVICES)('$name with a bad configuration', (svc) => {
  it('exits non-zero naming every bad key', async () => {
    const { code, output } = await runToExit(svc.name, { HTTP_PORT: 'not-a-port', LOG_LEVEL: 'loud', SHUTDOWN_TIMEOUT_MS: '-5' });
    expect(code).not.toBe(0);
    expect(output).toContain('HTTP_PORT');
    expect(output).toContain('LOG_LEVEL');
    expect(output).toContain('SHUTDOWN_TIMEOUT_MS');
  });
});
