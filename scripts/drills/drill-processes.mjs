// The processes a drill starts, kills and restarts: the collector and the ETL (children of the
// drill, on their real ports) and the stack's Kafka broker (stopped by its pid file, started again
// by `scripts/stack up`).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Polls until `probe` returns true; throws `what` (and the probe's last error) after `timeoutMs`. */
export async function waitUntil(probe, { timeoutMs, intervalMs = 250, what }) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await sleep(intervalMs);
  }
}

export function portInUse(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A service run as `node services/<name>/dist/main.js`, restartable: every start appends to the
 * same log file, so a crash and the restart after it read as one story.
 */
export class DrillService {
  constructor({ root, name, env, port, logFile }) {
    Object.assign(this, { root, name, env, port, logFile });
    this.child = undefined;
    this.starts = 0;
  }

  async start() {
    const log = openSync(this.logFile, 'a');
    this.starts += 1;
    this.child = spawn(process.execPath, [`services/${this.name}/dist/main.js`], {
      cwd: this.root,
      env: { ...process.env, LOG_LEVEL: 'info', ...this.env },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    this.exited = once(this.child, 'exit');
    await this.waitReady();
  }

  async waitReady(timeoutMs = 90_000) {
    const child = this.child;
    await waitUntil(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${this.name} exited (${child.exitCode ?? child.signalCode}); see ${this.logFile}`);
        return (await fetch(`http://127.0.0.1:${this.port}/readyz`, { signal: AbortSignal.timeout(5_000) })).status === 200;
      },
      { timeoutMs, what: `${this.name} /readyz 200 (log: ${this.logFile})` },
    );
  }

  /** kill -9: no drain, no shutdown hooks, in-flight requests and uncommitted batches cut off. */
  async kill9() {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM and wait for the drain; SIGKILL after `graceMs`. */
  async stop(graceMs = 30_000) {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** The broker's pid when scripts/stack runs it here (not an external or foreign one). */
export function stackKafkaPid(root) {
  const stackDir = join(root, '.stack', 'kafka');
  let pid;
  try {
    pid = Number(readFileSync(join(stackDir, 'kafka.pid'), 'utf8').trim());
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return command.includes(stackDir) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function run(command, args, { cwd, env, timeoutMs }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output.split('\n').slice(-20).join('\n')}`));
    });
  });
}

export function stackUp(root) {
  return run(join(root, 'scripts/stack'), ['up'], { cwd: root, env: process.env, timeoutMs: 300_000 });
}

/**
 * Restarts the stack's broker the way an operator would: SIGTERM (controlled shutdown, as
 * `scripts/stack down` does), SIGKILL after 60 s, then `scripts/stack up` starts it again and waits
 * until it is healthy. Returns how long the broker was away.
 */
export async function restartKafka(root) {
  const pid = stackKafkaPid(root);
  if (pid === undefined) throw new Error('the Kafka broker is not one scripts/stack runs from this checkout (.stack/kafka/kafka.pid); cannot restart it');
  const stoppedAt = Date.now();
  process.kill(pid, 'SIGTERM');
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  await waitUntil(() => !alive(), { timeoutMs: 60_000, what: `broker pid ${pid} to exit` }).catch(() => process.kill(pid, 'SIGKILL'));
  await waitUntil(() => !alive(), { timeoutMs: 10_000, what: `broker pid ${pid} to exit after SIGKILL` });
  const downMs = Date.now() - stoppedAt;
  await stackUp(root);
  return { downMs, awayMs: Date.now() - stoppedAt };
}
