// The built collector as a child process of the benchmark: free ports, a throw-away source file,
// logs to a file, readiness awaited, RSS read from /proc while load runs.
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@kuroshio/testing';

// utime + stime of /proc/<pid>/stat, in clock ticks (USER_HZ, 100 on Linux).
const CLOCK_TICKS_PER_SEC = 100;
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SEC;
}

function statusKiB(pid, field) {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : Number.NaN;
}

export async function startCollector(ctx, { main, nodeFlags, sourcesFile, rawTopic }) {
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const logFile = join(dirname(sourcesFile), 'collector.log');
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [...nodeFlags, main], {
    cwd: ctx.root,
    env: {
      ...process.env,
      ...ctx.env,
      COLLECTOR_SOURCES_FILE: sourcesFile,
      COLLECTOR_RAW_TOPIC: rawTopic,
      HTTP_PORT: String(httpPort),
      GRPC_PORT: String(grpcPort),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${httpPort}`;

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`collector exited with ${child.exitCode} while starting; log: ${logFile}`);
    const ready = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`collector not ready within 30 s; log: ${logFile}`);
    }
    await sleep(250);
  }
  ctx.log(`collector pid ${child.pid} ready at ${url}`);

  return {
    url,
    pid: child.pid,
    logFile,
    /** Samples VmRSS every 200 ms until stop(), which returns the peak in MiB. */
    sampleRss() {
      let peak = 0;
      const take = () => {
        peak = Math.max(peak, statusKiB(child.pid, 'VmRSS'));
      };
      take();
      const timer = setInterval(take, 200);
      return {
        stop() {
          clearInterval(timer);
          take();
          return Math.round(peak / 1024);
        },
      };
    },
    /** Starts counting the process's CPU time; stop() returns the seconds used since (user + system). */
    measureCpu() {
      const start = cpuSeconds(child.pid);
      return { stop: () => cpuSeconds(child.pid) - start };
    },
    /** The kernel's high-water mark of the process's RSS since it started, in MiB. */
    vmHwmMiB: () => Math.round(statusKiB(child.pid, 'VmHWM') / 1024),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const result = await Promise.race([exited, sleep(15_000).then(() => undefined)]);
      if (result === undefined) child.kill('SIGKILL');
      await exited;
      log.end();
    },
  };
}
