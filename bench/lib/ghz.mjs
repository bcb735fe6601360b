// ghz (github.com/bojand/ghz, an open-source gRPC load tool) for the serving benchmarks: installs the
// pinned version from the Go module proxy, runs it, and reads its JSON report.
//
// Two choices keep the load tool from measuring itself on a 2-core machine (docs/decisions/0003):
// - Requests are pre-encoded protobuf (`-B`, length-delimited messages sent round-robin) instead of a
//   JSON template rendered and converted per call, which cost ghz 350–480 µs CPU per call.
// - With `taskset` and at least 2 CPUs, the server under test runs on the last CPU and ghz (with
//   GOMAXPROCS 1) plus any helper processes on the others — the layout a Kubernetes node with the
//   static CPU manager gives a Guaranteed pod, and what a load generator on another machine gives.
//   BENCH_PIN=0 turns it off.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import protobuf from 'protobufjs';

export const GHZ_VERSION = 'v0.93.0';

/** ghz from the Go module proxy into .tools/bin, once (idempotent: checks the installed version). */
export async function ensureGhz(ctx) {
  const bin = join(ctx.root, '.tools', 'bin', 'ghz');
  const { stdout } = await ctx.exec('go', ['version', '-m', bin]).catch(() => ({ stdout: '' }));
  if (new RegExp(`mod\\s+github.com/bojand/ghz\\s+${GHZ_VERSION}\\s`).test(stdout)) return bin;
  ctx.log(`installing ghz ${GHZ_VERSION} (Go module proxy) into .tools/bin`);
  await ctx.exec('go', ['install', `github.com/bojand/ghz/cmd/ghz@${GHZ_VERSION}`], { env: { GOBIN: join(ctx.root, '.tools', 'bin') }, timeoutMs: 10 * 60_000 });
  return bin;
}

function hasTaskset() {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Where the server under test and the load run. `serverCommand(args)` / `clientCommand(args)` return
 * `[command, args]` for spawn/exec.
 */
export function cpuLayout() {
  const count = cpus().length;
  const enabled = process.env.BENCH_PIN !== '0' && count >= 2 && hasTaskset();
  const serverCpus = String(count - 1);
  const clientCpus = count === 2 ? '0' : `0-${count - 2}`;
  return {
    pinned: enabled,
    serverCpus: enabled ? serverCpus : 'any',
    clientCpus: enabled ? clientCpus : 'any',
    serverCommand: (command, args) => (enabled ? ['taskset', ['-c', serverCpus, command, ...args]] : [command, args]),
    clientCommand: (command, args) => (enabled ? ['taskset', ['-c', clientCpus, command, ...args]] : [command, args]),
    /** ghz's own flag: as many Go threads as the CPUs it may use. */
    ghzCpus: enabled ? ['--cpus', String(Math.max(1, count - 1))] : [],
  };
}

/** CPU milliseconds (user + system) a process has used so far (Linux /proc, 100 ticks/s). */
export function processCpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Writes `messages` (plain objects, proto field names) as length-delimited `typeName` messages for
 * ghz's `-B`; ghz sends them round-robin, one per call.
 */
export function writeDelimitedRequests(root, file, protoFile, typeName, messages) {
  const protoRoot = new protobuf.Root();
  protoRoot.resolvePath = (_origin, target) => {
    if (target.startsWith('/')) return target;
    return target.startsWith('google/protobuf/') ? join(root, 'node_modules', 'protobufjs', target) : join(root, 'proto', target);
  };
  protoRoot.loadSync(protoFile, { keepCase: true });
  const type = protoRoot.lookupType(typeName);
  const parts = messages.map((message) => {
    const problem = type.verify(message);
    if (problem) throw new Error(`${typeName}: ${problem}`);
    return type.encodeDelimited(type.fromObject(message)).finish();
  });
  writeFileSync(file, Buffer.concat(parts));
  return file;
}

/**
 * One ghz run; the server-side CPU per call when `serverPid` is given. Throws when a call failed,
 * unless `allowErrors`.
 */
export async function ghzRun(ctx, args, { allowErrors = false, serverPid, layout = cpuLayout() } = {}) {
  const bin = join(ctx.root, '.tools', 'bin', 'ghz');
  const before = serverPid === undefined ? 0 : processCpuMs(serverPid);
  const [command, commandArgs] = layout.clientCommand(bin, ['--insecure', '-O', 'json', ...layout.ghzCpus, ...args]);
  const { stdout } = await ctx.exec(command, commandArgs, { timeoutMs: 5 * 60_000 });
  const report = JSON.parse(stdout);
  const at = (p) => (report.latencyDistribution ?? []).find((entry) => entry.percentage === p)?.latency / 1e6;
  const ok = report.statusCodeDistribution?.OK ?? 0;
  if (!allowErrors && ok !== report.count) throw new Error(`ghz: ${report.count - ok} of ${report.count} calls failed: ${JSON.stringify(report.errorDistribution)}`);
  return {
    p50: at(50),
    p90: at(90),
    p99: at(99),
    rps: report.rps,
    count: report.count,
    ok,
    errors: report.errorDistribution ?? {},
    ...(serverPid === undefined ? {} : { serverCpuMicrosPerCall: ((processCpuMs(serverPid) - before) * 1000) / report.count }),
  };
}
