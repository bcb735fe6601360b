import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  output(): string;
  /** Sends SIGTERM and resolves with the exit code once the process has drained and exited. */
  stop(): Promise<number | null>;
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
      if (child.exitCode !== null) return child.exitCode;
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
