// Where the machine's CPU went during a measured interval: the ETL processes, the stack's servers
// (found through scripts/stack's pid files, or the command line for SeaweedFS) and everything else,
// from /proc. Evidence for what a 2-core machine can reach when everything shares it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const TICKS_PER_SECOND = 100;

/** User + system CPU seconds a process has used so far; 0 once it is gone. */
export function processCpuSeconds(pid) {
  return processTicks(pid) / TICKS_PER_SECOND;
}

function processTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime (fields 14-17 of proc(5); 12-15 after pid and comm)
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

function machineTicks() {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = cpu[3] + (cpu[4] ?? 0);
  return { total: cpu.reduce((a, b) => a + b, 0), idle };
}

function readPid(file) {
  try {
    return Number(readFileSync(file, 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

function pidByCommandLine(fragment) {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(fragment)) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

export function stackPids(stackDir) {
  return {
    kafka: readPid(join(stackDir, 'kafka/kafka.pid')),
    clickhouse: readPid(join(stackDir, 'clickhouse/clickhouse.pid')),
    s3: pidByCommandLine(`-dir=${join(stackDir, 's3/data')}`),
  };
}

/** Starts an interval; `stop()` returns CPU seconds per named group of pids and the machine's busy share. */
export function cpuInterval(groups) {
  const ticksOf = (pids) => pids.filter(Boolean).reduce((sum, pid) => sum + processTicks(pid), 0);
  const before = Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, ticksOf(pids)]));
  const machineBefore = machineTicks();
  const started = performance.now();
  return {
    stop() {
      const seconds = (performance.now() - started) / 1000;
      const machine = machineTicks();
      const total = machine.total - machineBefore.total;
      const cpuSeconds = Object.fromEntries(
        Object.entries(groups).map(([name, pids]) => [name, Number(((ticksOf(pids) - before[name]) / TICKS_PER_SECOND).toFixed(1))]),
      );
      return {
        wall_seconds: Number(seconds.toFixed(1)),
        cpu_seconds: cpuSeconds,
        machine_busy_share: Number((1 - (machine.idle - machineBefore.idle) / total).toFixed(3)),
      };
    },
  };
}
