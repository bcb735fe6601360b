#!/usr/bin/env node
// Benchmark runner: `npm run bench [name...]`. Runs bench/<name>.bench.mjs (all of them when no name
// is given), writes each one's figures to bench/results/<name>.json and the run's to
// bench/results/summary.json, and prints a table. Format and how to add one: bench/README.md.
import { spawn } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = join(root, 'bench');
const resultsDir = join(benchDir, 'results');
const SUFFIX = '.bench.mjs';

// The same defaults as scripts/stack and the services (see the conventions), so a bench run against
// `scripts/stack up` needs no env at all.
const ENDPOINT_DEFAULTS = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  CLICKHOUSE_URL: 'http://127.0.0.1:8123',
  CLICKHOUSE_DATABASE: 'kuroshio',
  CLICKHOUSE_USER: 'default',
  CLICKHOUSE_PASSWORD: '',
  S3_ENDPOINT: 'http://127.0.0.1:8333',
  S3_ACCESS_KEY: 'kuroshio',
  S3_SECRET_KEY: 'kuroshio-secret-key',
  S3_REGION: 'us-east-1',
  S3_LAKE_BUCKET: 'kuroshio-lake',
  S3_MODELS_BUCKET: 'kuroshio-models',
};

function endpointEnv() {
  return Object.fromEntries(
    Object.entries(ENDPOINT_DEFAULTS).map(([key, fallback]) => [key, process.env[key] || fallback]),
  );
}

/** Runs a command to completion; rejects with its stderr tail on a non-zero exit or a timeout. */
function exec(command, args, { timeoutMs = 10 * 60_000, env, onStdoutLine } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (!onStdoutLine) return;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(onStdoutLine);
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolvePromise({ stdout, stderr });
      const why = signal ? `killed by ${signal}${signal === 'SIGKILL' ? ` after ${timeoutMs} ms` : ''}` : `exit ${code}`;
      reject(new Error(`${command} ${args.join(' ')}: ${why}\n${stderr.trim().split('\n').slice(-20).join('\n')}`));
    });
  });
}

async function discover() {
  const files = (await readdir(benchDir)).filter((f) => f.endsWith(SUFFIX)).sort();
  return files.map((f) => f.slice(0, -SUFFIX.length));
}

function isFiniteNumber(value) {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Checks one figure from a benchmark and turns it into the stored result shape. */
function toResult(benchName, figure, at) {
  const name = figure.name ?? benchName;
  const problems = [];
  if (typeof name !== 'string' || name === '') problems.push('name must be a non-empty string');
  if (typeof figure.unit !== 'string' || figure.unit === '') problems.push('unit must be a non-empty string');
  if (!isFiniteNumber(figure.value)) problems.push('value must be a finite number');
  if (figure.better !== 'higher' && figure.better !== 'lower') problems.push('better must be "higher" or "lower"');
  const reference = figure.reference ?? null;
  if (reference !== null && (typeof reference.name !== 'string' || !isFiniteNumber(reference.value))) {
    problems.push('reference must be null or { name: string, value: number }');
  }
  if (problems.length) throw new Error(`figure ${JSON.stringify(name)}: ${problems.join('; ')}`);
  const ratio = reference && reference.value !== 0 ? figure.value / reference.value : null;
  return {
    name,
    unit: figure.unit,
    value: figure.value,
    better: figure.better,
    reference: reference && { name: reference.name, value: reference.value },
    ratio,
    params: figure.params ?? {},
    at,
  };
}

async function runOne(name) {
  const log = (...parts) => console.error(`[${name}]`, ...parts);
  const module = await import(pathToFileURL(join(benchDir, name + SUFFIX)).href);
  if (typeof module.default !== 'function') throw new Error(`bench/${name}${SUFFIX} has no default export function`);
  const ctx = {
    name,
    root,
    stackDir: join(root, '.stack'),
    env: endpointEnv(),
    log,
    exec,
  };
  const started = performance.now();
  const output = await module.default(ctx);
  const at = new Date().toISOString();
  const figures = Array.isArray(output) ? output : [output];
  if (figures.length === 0) throw new Error('returned no figures');
  const results = figures.map((figure) => toResult(name, figure, at));
  const names = new Set(results.map((r) => r.name));
  if (names.size !== results.length) throw new Error('figure names must be unique within a benchmark');
  const stored = Array.isArray(output) ? results : results[0];
  await writeFile(join(resultsDir, `${name}.json`), JSON.stringify(stored, null, 2) + '\n');
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return results;
}

function formatNumber(value) {
  if (value === null || value === undefined) return '-';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return Number(value.toPrecision(4)).toString();
}

function printTable(rows) {
  const header = ['benchmark', 'figure', 'value', 'unit', 'better', 'reference', 'ratio'];
  const body = rows.map(({ bench, result }) => [
    bench,
    result.name,
    formatNumber(result.value),
    result.unit,
    result.better,
    result.reference ? `${result.reference.name} = ${formatNumber(result.reference.value)}` : '-',
    result.ratio === null ? '-' : result.ratio.toFixed(3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const numeric = new Set([2, 6]);
  const line = (cells) =>
    cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  body.forEach((r) => console.log(line(r)));
}

async function main() {
  const available = await discover();
  const requested = process.argv.slice(2).map((arg) => arg.replace(/\.bench\.mjs$/, '').replace(/^bench\//, ''));
  const unknown = requested.filter((n) => !available.includes(n));
  if (unknown.length) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ') || 'none'}`);
    process.exit(2);
  }
  const names = requested.length ? requested : available;
  await mkdir(resultsDir, { recursive: true });

  const rows = [];
  const failures = [];
  for (const name of names) {
    try {
      for (const result of await runOne(name)) rows.push({ bench: name, result });
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(`[${name}] FAILED: ${message}`);
      failures.push({ benchmark: name, error: error instanceof Error ? error.message : String(error) });
    }
  }

  const summary = { at: new Date().toISOString(), results: rows.map((r) => r.result), failures };
  await writeFile(join(resultsDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  if (rows.length) printTable(rows);
  if (failures.length) {
    console.error(`${failures.length} benchmark(s) failed: ${failures.map((f) => f.benchmark).join(', ')}`);
    process.exit(1);
  }
}

await main();
