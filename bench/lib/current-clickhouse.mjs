// The engine of scripts/clickhouse-current (chDB = ClickHouse 26.9 behind the part of ClickHouse's HTTP
// interface @clickhouse/client uses; ADR 0024) for benchmarks that measure a current server beside
// the stack's 18.16: on a free loopback port with a throwaway data directory. Installed by
// scripts/setup (scripts/clickhouse-current install).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { processCpuSeconds } from '../etl/cpu-accounting.mjs';

/** Starts the engine; `cpuSeconds()` is its process's user + system CPU so far (chDB keeps no query_log). */
export async function startCurrentClickHouse(root) {
  const python = join(root, '.tools/venv/bin/python');
  const data = mkdtempSync(join(tmpdir(), 'kuroshio-bench-chdb-'));
  const child = spawn(python, [join(root, 'infra/clickhouse/current/chdb-http.py'), '0', data], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const url = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the current ClickHouse engine exited with ${code} (scripts/clickhouse-current install?): ${stderr}`)));
  });
  return {
    url,
    pid: child.pid,
    cpuSeconds: () => processCpuSeconds(child.pid),
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve()));
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/**
 * `measure(env, server)` on the stack's ClickHouse (server.current null), then, unless
 * `skipCurrent`, on the current engine (server.current: its url, pid and cpuSeconds); figures of the
 * second run get names ending in `server.suffix` ("-current"). Returns every figure, in that order.
 */
export async function onBothClickHouses(ctx, { skipCurrent }, measure) {
  const figures = [await measure(ctx.env, { suffix: '', current: null })];
  if (!skipCurrent) {
    const engine = await startCurrentClickHouse(ctx.root);
    try {
      figures.push(await measure({ ...ctx.env, CLICKHOUSE_URL: engine.url }, { suffix: '-current', current: engine }));
    } finally {
      await engine.stop();
    }
  }
  return figures.flat();
}
