import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@kuroshio/testing';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  output(): string;
  /** Sends SIGTERM and resolves with the exit code once the process has drained and exited. */
  stop(): Promise<number | null>;
}

/** Inference's settings for the three services it calls, given where a harness runs each one's gRPC. */
export function inferenceUpstreams(grpcAddress: (service: 'model-registry' | 'feature-store' | 'experiment') => string): Record<string, string> {
  return {
    INFERENCE_MODEL_REGISTRY_ADDRESS: grpcAddress('model-registry'),
    INFERENCE_FEATURE_STORE_ADDRESS: grpcAddress('feature-store'),
    INFERENCE_EXPERIMENT_ADDRESS: grpcAddress('experiment'),
  };
}

/** Starts a built service (`services/<name>/dist/main.js`) as its own Node process. */
export function startService(name: string, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, [`services/${name}/dist/main.js`], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return {
    name,
    child,
    output: () => output,
    stop: async () => {
      // Already gone (an exit code, or killed by a signal): 'exit' will not come again.
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
  };
}

/** Runs a service to completion, for start-ups that are expected to fail. */
export async function runToExit(name: string, env: Record<string, string>, timeoutMs = 20_000) {
  const service = startService(name, env);
  const timer = setTimeout(() => service.child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(service.child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, output: service.output() };
}

/** Waits until the service answers `url`; fails early, with what it printed, if it exits first. */
export async function waitForHttp(url: string, service: ServiceProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch (error) {
      if (service.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`${service.name} did not answer ${url} (exit code ${service.child.exitCode}): ${String(error)}\n${service.output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Services started together on fixed ports, for a test that needs several of them. */
export interface ServiceGroup {
  readonly services: readonly ServiceProcess[];
  /** Each service's recent output, headed by how it ended if it did. */
  logs(charsPerService?: number): string;
  /** Resolves once every service answers /healthz and /readyz with 200; rejects with the logs otherwise. */
  ready(timeoutMs?: number): Promise<void>;
  /** SIGTERM to each (each drains and exits); the exit codes by service. */
  stop(): Promise<Record<string, number | null>>;
}

/** Each service's env must name its HTTP_PORT (health and readiness are polled there). */
export function startServices(env: Record<string, Record<string, string>>): ServiceGroup {
  for (const [name, serviceEnv] of Object.entries(env)) if (serviceEnv.HTTP_PORT === undefined) throw new Error(`${name}: HTTP_PORT is required`);
  const services = Object.entries(env).map(([name, serviceEnv]) => startService(name, serviceEnv));
  const ended = (service: ServiceProcess) =>
    service.child.exitCode === null && service.child.signalCode === null ? '(running)' : `exited: code ${service.child.exitCode}, signal ${service.child.signalCode}`;
  const logs = (chars = 3_000) => services.map((service) => `--- ${service.name} ${ended(service)}\n${service.output().slice(-chars)}`).join('\n');
  return {
    services,
    logs,
    ready: async (timeoutMs = 120_000) => {
      try {
        await Promise.all(
          services.map(async (service) => {
            const base = `http://127.0.0.1:${env[service.name]?.HTTP_PORT}`;
            await waitForHttp(`${base}/healthz`, service, 60_000);
            await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, { timeoutMs, description: `${service.name} ready: ${service.output().slice(-2000)}` });
          }),
        );
      } catch (error) {
        throw new Error(`${(error as Error).message}\n${logs()}`, { cause: error });
      }
    },
    stop: async () => Object.fromEntries(await Promise.all(services.map(async (service) => [service.name, await service.stop()] as const))),
  };
}
