// Runs the built ETL (services/etl/dist/main.js) as `count` processes of one consumer group, as
// production runs replicas, and stops them with SIGTERM (each drains its batch in hand and leaves
// the group). Peak RSS comes from each process's VmHWM just before it stops.
import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function startEtlProcesses({ root, count, env, firstPort, log, nodeFlags = [] }) {
  const children = Array.from({ length: count }, (_, i) => {
    const child = spawn(process.execPath, [...nodeFlags, join(root, 'services/etl/dist/main.js')], {
      cwd: root,
      env: { ...process.env, ...env, HTTP_PORT: String(firstPort + i), SHUTDOWN_TIMEOUT_MS: '20000' },
      // The service logs (pino, stdout) go to a file for a post-mortem; the path is in the bench log.
      stdio: ['ignore', openSync(join(tmpdir(), `kuroshio-etl-bench-${i}.log`), 'w'), 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.on('exit', (code, signal) => {
      if (!child.stopping) log(`etl process ${i} exited early (${signal ?? code}): ${stderr.slice(-1500)}`);
    });
    return child;
  });
  log(`etl logs: ${join(tmpdir(), 'kuroshio-etl-bench-<n>.log')}`);
  return {
    pids: children.map((child) => child.pid),
    alive: () => children.every((child) => child.exitCode === null && child.signalCode === null),
    peakRssMiB: () => children.map((child) => vmHwmMiB(child.pid)),
    async stop() {
      await Promise.all(
        children.map(
          (child) =>
            new Promise((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.stopping = true;
              const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
              child.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              child.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}

function vmHwmMiB(pid) {
  try {
    const kib = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return Math.round((kib / 1024) * 10) / 10;
  } catch {
    return null;
  }
}
