import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '@kuroshio/telemetry';
import { ReadinessService } from './readiness/readiness.service.js';
import { exitOnShutdownSignals } from './shutdown-signals.js';
import { startTestService } from './testing/test-service.js';

const silent = createLogger({ service: 'test-service', level: 'silent' });

afterEach(() => {
  vi.useRealTimers();
});

function exitRecorder() {
  let resolveExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });
  const exit = vi.fn((code: number) => resolveExit(code));
  return { exited, exit };
}

describe('graceful shutdown', () => {
  it('finishes the in-flight request before the clients disconnect, then exits 0', async () => {
    const service = await startTestService({ env: { SHUTDOWN_TIMEOUT_MS: '5000' } });
    const exitSpy = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const { exit } = exitRecorder();
    exitOnShutdownSignals(service.app, 5_000, silent, exit);

    const inFlight = fetch(`${service.httpUrl}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.emit('SIGTERM');

    // Draining: not ready any more, and the broker is still connected while the request runs.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await service.app.get(ReadinessService).evaluate()).status).toBe('shutting_down');
    expect(service.broker.events).toEqual([]);
    const released = performance.now();
    service.gate.release();

    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toEqual({ done: true });
    await vi.waitFor(() => expect(exitSpy).toHaveBeenCalledWith(0), { timeout: 3_000 });
    // Well inside the 2.5 s drain budget: the drain ended when the response was sent.
    expect(performance.now() - released).toBeLessThan(1_000);
    expect(service.broker.events).toEqual(['request finished', 'broker disconnected']);
    expect(exit).not.toHaveBeenCalled();
    await expect(fetch(`${service.httpUrl}/healthz`)).rejects.toThrow();
    exitSpy.mockRestore();
  });

  it('cuts off a request that outlives the drain budget, and still runs the shutdown hooks', async () => {
    const service = await startTestService({ env: { SHUTDOWN_TIMEOUT_MS: '400' } });
    const inFlight = fetch(`${service.httpUrl}/slow`).then(
      (r) => r.status,
      () => 'connection cut',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await service.close();
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(await inFlight).toBe('connection cut');
    expect(service.broker.events).toEqual(['broker disconnected']);
  });

  it('exits 1 when shutdown hangs past SHUTDOWN_TIMEOUT_MS', async () => {
    const service = await startTestService();
    const exitSpy = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const { exited, exit } = exitRecorder();
    // A client whose disconnect never returns.
    vi.spyOn(service.broker, 'onModuleDestroy').mockImplementation(() => new Promise<never>(() => undefined) as never);
    exitOnShutdownSignals(service.app, 300, silent, exit);
    process.emit('SIGTERM');
    expect(await exited).toBe(1);
    expect(exitSpy).not.toHaveBeenCalled();
    exitSpy.mockRestore();
  });
});
